//! Issue 9 on Discord: answers that contradict each other are caught at the answer,
//! with a button (or, in DMs, a number) per way out, within Discord's limits; admins
//! see a set's coverage when they upload or preview it.

use serde_json::{json, Value};

use super::{
    answer, button, callback_data, components, description, guild_user, questions, sent,
    server_admin, title, upload_command, Bot, T,
};
use crate::core::builtin;
use crate::support::fake_discord::payloads;

/// The prompt of a question of the default set.
fn prompt(question: &str) -> String {
    builtin("default")
        .question(&question.into())
        .unwrap()
        .prompt
        .clone()
}

/// The labels of a message's buttons, row by row.
fn rows(message: &Value) -> Vec<Vec<String>> {
    message["components"]
        .as_array()
        .map(|rows| {
            rows.iter()
                .map(|row| {
                    row["components"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|c| c["label"].as_str().map(str::to_owned))
                        .collect()
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The default set's answers up to `ruled_out`, for a JavaScript team that must stay
/// in JavaScript.
const UP_TO_RULED_OUT: [(&str, &str); 10] = [
    ("languages", "javascript"),
    ("stick_to_languages", "must"),
    ("experience", "mixed"),
    ("app_type", "api"),
    ("scale", "large"),
    ("realtime", "none"),
    ("deadline", "months"),
    ("security", "standard"),
    ("maintenance", "years"),
    ("hosting", "servers"),
];

#[tokio::test]
async fn ruling_out_the_only_language_stops_at_that_answer_with_a_button_per_way_out() {
    let bot = Bot::start().await;
    let me = guild_user("grace");
    let (_, token) = bot.command("recommend", json!([]), &me).await;
    let mut message = bot.message(&token);
    for (question, option) in UP_TO_RULED_OUT {
        let (_, token) = answer(&bot, &message, &me, question, &[option]).await;
        message = bot.message(&token);
    }
    let (call, token) = answer(&bot, &message, &me, "ruled_out", &["no_javascript"]).await;
    callback_data(&call);
    message = bot.message(&token);
    assert_eq!(
        title(&message),
        "These answers leave no framework in the guide:"
    );
    let text = description(&message);
    assert!(
        text.contains("Your answer “No JavaScript on the server” rules out Next.js, Fastify and SvelteKit.")
            && text.contains("Your earlier answer “Yes, only languages we know” rules out Ruby on Rails, Laravel, Phoenix and Actix, not in your team's languages"),
        "{text}"
    );
    // Change this answer, change each earlier one, keep them: within Discord's limits.
    let rows = rows(&message);
    assert!(
        rows.len() <= 5 && rows.iter().all(|r| r.len() <= 5),
        "{rows:?}"
    );
    let labels: Vec<&String> = rows.iter().flatten().collect();
    assert!(labels.iter().all(|l| l.chars().count() <= 80), "{labels:?}");
    for expected in [
        "Change this answer".to_owned(),
        format!("Change: {}", prompt("languages")),
        format!("Change: {}", prompt("stick_to_languages")),
        "Keep these answers".to_owned(),
        "Cancel".to_owned(),
    ] {
        assert!(labels.contains(&&expected), "{expected} in {labels:?}");
    }

    // Changing the earlier answer asks it again, then goes straight to the result.
    let change = format!("Change: {}", prompt("stick_to_languages"));
    let (_, token) = bot
        .click(&button(&message, &change), &[], &message, &me)
        .await;
    message = bot.message(&token);
    assert_eq!(title(&message), prompt("stick_to_languages"));
    let (_, token) = answer(&bot, &message, &me, "stick_to_languages", &["open"]).await;
    message = bot.message(&token);
    let result = title(&message);
    assert!(
        !["Next.js", "Fastify", "SvelteKit"]
            .iter()
            .any(|f| result.starts_with(f))
            && result.contains("points"),
        "{result}"
    );
    bot.fake.assert_no_violations();
}

#[tokio::test]
async fn in_a_dm_the_ways_out_are_numbered_and_keeping_the_answers_says_nothing_fits() {
    let bot = Bot::start().await;
    let user = payloads::user("hopper");
    sent(&bot.dm(&user, "hi").await);
    for (question, option) in UP_TO_RULED_OUT {
        let label = builtin("default")
            .question(&question.into())
            .unwrap()
            .option(option)
            .unwrap()
            .label
            .clone();
        sent(&bot.dm(&user, &label).await);
    }
    let conflict = sent(&bot.dm(&user, "No JavaScript on the server").await);
    assert_eq!(
        title(&conflict),
        "These answers leave no framework in the guide:"
    );
    let text = description(&conflict);
    assert!(
        text.contains("reply with a number")
            && text.contains("`4` Keep these answers (no framework will be recommended)"),
        "{text}"
    );
    assert!(!components(&conflict).is_empty(), "buttons work in DMs too");

    // Something else is nudged, with the contradiction shown again.
    let nudge = sent(&bot.dm(&user, "banana").await);
    assert!(
        nudge["content"]
            .as_str()
            .unwrap_or_default()
            .starts_with("I didn't get that"),
        "{nudge}"
    );
    assert_eq!(
        title(&nudge),
        "These answers leave no framework in the guide:"
    );

    // Keeping them is the last resort: the result says nothing fits, and why.
    let result = sent(&bot.dm(&user, "4").await);
    assert_eq!(title(&result), "No framework fits these answers");
    assert!(
        description(&result).contains("ruled out by “No JavaScript on the server”"),
        "{}",
        description(&result)
    );
    bot.fake.assert_no_violations();
}

/// A small valid set in which SvelteKit can never win.
const SMALL_SET: &str = r#"id = "small"
title = "Small"
version = 1

[[questions]]
id = "lang"
prompt = "Which language?"
  [[questions.options]]
  id = "php"
  label = "PHP"
  languages = { php = 8 }
  [[questions.options]]
  id = "rust"
  label = "Rust"
  languages = { rust = 8 }
"#;

#[tokio::test]
async fn upload_and_preview_show_the_coverage_compactly() {
    let bot = Bot::start().await;
    let admin = server_admin(1_300);
    let attachment = bot.fake.host_attachment("small.toml", SMALL_SET.as_bytes());
    let interaction = upload_command(&attachment, Some(false), &admin);
    let token = interaction["token"].as_str().unwrap().to_owned();
    let mark = bot.fake.mark();
    bot.interact(interaction).await;
    bot.fake
        .wait_for_call(mark, T, |c| {
            c.is("PATCH", "/webhooks/*/*/messages/@original") && c.path.contains(&token)
        })
        .await
        .unwrap();
    let stored = description(&bot.message(&token));
    assert!(
        stored.contains("**Coverage** Over every one of the 2 answer combinations:")
            && stored.contains("Wins: Next.js 0%")
            && stored.contains("Own framework for a one-language team: PHP 100% · Rust 100%")
            && stored.contains("⚠️ SvelteKit never wins."),
        "{stored}"
    );

    let call = bot
        .interact(questions(
            "preview",
            json!([{"name": "set", "type": 3, "value": "quick"}]),
            &admin,
        ))
        .await;
    let content = callback_data(&call)["content"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        content.starts_with("Previewing `quick`")
            && content.contains("Over every one of the 216 answer combinations")
            && content.chars().count() <= 2000,
        "{content}"
    );
    bot.fake.assert_no_violations();
}
