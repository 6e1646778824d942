//! User journeys through the bot, each asserting the bodies it sends.

use serde_json::json;

use super::{answer, button, callback_data, guild_user, is_ephemeral, select, title, Bot};
use crate::core::builtin;

#[tokio::test]
async fn start_up_registers_every_command_with_a_description() {
    let bot = Bot::start().await;
    let identify = bot.fake.identifies().pop().unwrap();
    assert_eq!(
        identify["intents"].as_u64().unwrap() & (1 << 12),
        1 << 12,
        "DM intent"
    );
    let commands = bot.fake.commands(None);
    let names: Vec<&str> = commands
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    for expected in [
        "recommend",
        "frameworks",
        "framework",
        "compare",
        "criteria",
        "help",
    ] {
        assert!(names.contains(&expected), "{names:?}");
    }
    for command in &commands {
        let description = command["description"].as_str().unwrap();
        assert!(!description.is_empty() && description.len() <= 100);
    }
    bot.fake.assert_no_violations();
}

#[tokio::test]
async fn recommend_in_a_guild_walks_the_default_set_to_phoenix_with_back_skip_change_and_share() {
    let bot = Bot::start().await;
    let me = guild_user("ada");
    let (call, token) = bot.command("recommend", json!([]), &me).await;
    assert_eq!(call.body.as_ref().unwrap()["type"], 4);
    assert!(is_ephemeral(&call), "private in a server");
    let mut message = bot.message(&token);
    assert_eq!(
        message["embeds"][0]["footer"]["text"]
            .as_str()
            .unwrap()
            .split(" · ")
            .next(),
        Some("Question 1 of 11")
    );

    // Languages is multi-choice: a select menu.
    let (call, token) = answer(&bot, &message, &me, "languages", &["elixir"]).await;
    assert_eq!(
        call.body.as_ref().unwrap()["type"],
        7,
        "each click updates the same message"
    );
    message = bot.message(&token);
    // Back returns to languages; answer again.
    let (_, token) = bot
        .click(&button(&message, "Back"), &[], &message, &me)
        .await;
    message = bot.message(&token);
    assert!(title(&message).starts_with("Which languages"));
    let (_, token) = answer(&bot, &message, &me, "languages", &["elixir"]).await;
    message = bot.message(&token);
    for (question, option) in [
        ("stick_to_languages", "prefer"),
        ("experience", "senior"),
        ("app_type", "realtime_app"),
        ("scale", "large"),
        ("realtime", "critical"),
        ("deadline", "months"),
        ("security", "standard"),
        ("maintenance", "years"),
        ("hosting", "servers"),
    ] {
        let (call, token) = answer(&bot, &message, &me, question, &[option]).await;
        callback_data(&call);
        message = bot.message(&token);
    }
    // The last question is optional: Skip.
    assert!(title(&message).starts_with("Does anything rule"));
    let (_, token) = bot
        .click(&button(&message, "Skip"), &[], &message, &me)
        .await;
    message = bot.message(&token);
    assert!(
        title(&message).starts_with("Phoenix"),
        "{}",
        title(&message)
    );
    let fields = message["embeds"][0]["fields"].to_string();
    assert!(
        fields.contains("What decided it (Phoenix leads Next.js by 10.58)")
            && fields.contains("Trade-off")
            && fields.contains("Full ranking"),
        "{fields}"
    );
    // The team's answers decided it, and the embed says so as the terminal does.
    assert!(
        fields.contains("**Your answer “Elixir” +4**: Phoenix gets 4 points for it")
            && fields.contains("On the guide's ratings alone Next.js would lead by 0.92"),
        "{fields}"
    );

    // Change an answer: scale → small, recomputed in place.
    let (call, token) = bot
        .click(&button(&message, "Change an answer"), &[], &message, &me)
        .await;
    assert_eq!(call.body.as_ref().unwrap()["type"], 7);
    message = bot.message(&token);
    let scale = builtin("default")
        .position(&"scale".into())
        .unwrap()
        .to_string();
    let (_, token) = bot.click(&select(&message), &[&scale], &message, &me).await;
    message = bot.message(&token);
    assert!(title(&message).starts_with("How much traffic"));
    let (_, token) = answer(&bot, &message, &me, "scale", &["small"]).await;
    message = bot.message(&token);
    assert!(
        message["embeds"][0]["fields"]
            .to_string()
            .contains("Full ranking"),
        "back on the result"
    );

    // Share posts a public card, still with no mentions.
    let (call, _) = bot
        .click(&button(&message, "Share to channel"), &[], &message, &me)
        .await;
    assert_eq!(call.body.as_ref().unwrap()["type"], 4);
    assert!(!is_ephemeral(&call));
    let card = &callback_data(&call)["embeds"][0];
    assert!(card["title"].as_str().unwrap().starts_with("Recommended:"));
    // The card leads with the strongest reason, a part of the margin, never a
    // weakness.
    let first = card["description"]
        .as_str()
        .unwrap()
        .lines()
        .next()
        .unwrap();
    assert!(
        first.starts_with("• Your answer “Elixir” +4"),
        "{}",
        card["description"]
    );
    bot.fake.assert_no_violations();
}
