//! Server admins through `/questions`, against the fake Discord and a real SQLite
//! file: uploads (valid, invalid, oversize, not TOML, empty), refusal without Manage
//! Server, confirm-overwrite, use → /recommend, preview, export → upload round trip,
//! versions and rollback, panel after a restart, settings and `/history`.

use serde_json::{json, Value};

use super::{
    answer_in, assert_ephemeral_notice, button, callback_data, callback_type, components,
    description, is_ephemeral, questions, select, server_admin, title, upload_command, Bot, T,
};
use crate::support::fake_discord::payloads::{self, Origin, ADMINISTRATOR, MEMBER_PERMISSIONS};
use crate::support::fake_discord::Call;

/// The same admin in every call.
fn admin() -> Origin {
    server_admin(1_100)
}

fn member() -> Origin {
    Origin::guild(payloads::member(
        &payloads::user_with_id(1_200, "member"),
        MEMBER_PERMISSIONS,
    ))
}

/// Adds a resolved text channel to a command, as Discord does for channel options.
fn with_channel(mut interaction: Value, channel_id: u64) -> Value {
    let id = channel_id.to_string();
    interaction["data"]["resolved"] = json!({ "channels": { id.clone(): {
        "id": id, "name": "general", "type": 0, "permissions": MEMBER_PERMISSIONS,
    } } });
    interaction
}

/// A small valid set; `marker` changes its first prompt.
fn team_set(marker: &str) -> String {
    format!(
        r#"id = "team"
title = "Our team's questions"
version = 1

[[questions]]
id = "lang"
prompt = "{marker} Which language do you write?"

  [[questions.options]]
  id = "elixir"
  label = "Elixir"
  languages = {{ elixir = 5 }}

  [[questions.options]]
  id = "php"
  label = "PHP"
  languages = {{ php = 5 }}

[[questions]]
id = "load"
prompt = "How big?"

  [[questions.options]]
  id = "big"
  label = "Big"
  weights = {{ scalability = 3 }}

  [[questions.options]]
  id = "small"
  label = "Small"
"#
    )
}

/// Uploads `bytes` as `filename`; returns the response message once the deferred
/// acknowledgement has been edited into the answer.
async fn upload(bot: &Bot, filename: &str, bytes: &[u8], activate: bool, origin: &Origin) -> Value {
    let attachment = bot.fake.host_attachment(filename, bytes);
    let interaction = upload_command(&attachment, Some(activate), origin);
    let token = interaction["token"].as_str().unwrap().to_owned();
    let mark = bot.fake.mark();
    let callback = bot.interact(interaction).await;
    assert_eq!(callback_type(&callback), 5, "deferred while downloading");
    assert!(is_ephemeral(&callback));
    let edit = bot
        .fake
        .wait_for_call(mark, T, |c| {
            c.is("PATCH", "/webhooks/*/*/messages/@original") && c.path.contains(&token)
        })
        .await
        .unwrap();
    super::assert_well_formed(edit.body.as_ref().unwrap());
    // The message as Discord now shows it (clicks need the whole message object).
    bot.message(&token)
}

async fn admin_command(bot: &Bot, sub: &str, options: Value) -> Call {
    bot.interact(questions(sub, options, &admin())).await
}

#[tokio::test]
async fn questions_is_registered_for_manage_server_and_refused_to_others_even_if_invoked() {
    let bot = Bot::start().await;
    let registered = bot.fake.commands(None);
    let command = registered
        .iter()
        .find(|c| c["name"] == "questions")
        .unwrap();
    assert_eq!(command["default_member_permissions"], "32");

    let mark = bot.fake.mark();
    let call = bot.interact(questions("reset", json!([]), &member())).await;
    assert_ephemeral_notice(&call, "Manage Server");
    // Refused: nothing but the reply, and no settings changed.
    assert_eq!(bot.fake.calls_since(mark).len(), 1);
    // An administrator counts as allowed.
    let admin = Origin::guild(payloads::member(&payloads::user("owner"), ADMINISTRATOR));
    let call = bot.interact(questions("list", json!([]), &admin)).await;
    assert!(is_ephemeral(&call));
    assert!(description(&callback_data(&call)).contains("`default`"));
    bot.fake.assert_no_violations();
}

#[tokio::test]
async fn bad_uploads_name_every_problem_and_store_nothing() {
    let bot = Bot::start().await;
    let broken = upload(
        &bot,
        "broken.toml",
        b"id = \"x\"\ntitle = \"Unclosed\n",
        false,
        &admin(),
    )
    .await;
    let text = description(&broken);
    assert!(
        text.contains("was not stored") && text.contains("broken.toml:2:"),
        "{text}"
    );

    let schema = team_set("x")
        .replace("scalability = 3", "speed = 3")
        .replace("label = \"PHP\"", "");
    let text = description(&upload(&bot, "team.toml", schema.as_bytes(), false, &admin()).await);
    assert!(
        text.contains("unknown criterion `speed`") && text.contains("`label` is missing"),
        "{text}"
    );

    let text = description(&upload(&bot, "logo.png", b"\x89PNG", false, &admin()).await);
    assert!(text.contains("is not a .toml file"), "{text}");
    let text = description(&upload(&bot, "empty.toml", b"", false, &admin()).await);
    assert!(text.contains("empty"), "{text}");
    let big = vec![b'#'; 64 * 1024 + 1];
    let text = description(&upload(&bot, "big.toml", &big, false, &admin()).await);
    assert!(text.contains("over the 64 KiB limit"), "{text}");

    let list = callback_data(&admin_command(&bot, "list", json!([])).await);
    assert!(!description(&list).contains("`team`"), "nothing stored");
    bot.fake.assert_no_violations();
}

#[tokio::test]
async fn upload_use_recommend_replace_with_confirmation_versions_rollback_and_export_round_trip() {
    let bot = Bot::start().await;
    let stored = upload(
        &bot,
        "team.toml",
        team_set("First:").as_bytes(),
        true,
        &admin(),
    )
    .await;
    assert!(
        description(&stored).contains("as version 1"),
        "{}",
        description(&stored)
    );

    // /recommend now uses the uploaded set.
    let (call, _) = bot.command("recommend", json!([]), &member()).await;
    assert!(title(&callback_data(&call)).starts_with("First: Which language"));

    // Replacing asks first; "Keep" drops the upload.
    let second = upload(
        &bot,
        "team.toml",
        team_set("Second:").as_bytes(),
        false,
        &admin(),
    )
    .await;
    assert!(
        description(&second).contains("changed `lang`"),
        "{}",
        description(&second)
    );
    let (keep, _) = bot
        .click(
            &button(&second, "Keep the current one"),
            &[],
            &second,
            &admin(),
        )
        .await;
    assert_eq!(callback_type(&keep), 7);
    let (call, _) = bot.command("recommend", json!([]), &member()).await;
    assert!(title(&callback_data(&call)).starts_with("First:"));

    let third = upload(
        &bot,
        "team.toml",
        team_set("Third:").as_bytes(),
        false,
        &admin(),
    )
    .await;
    let (replace, _) = bot
        .click(&button(&third, "Replace"), &[], &third, &admin())
        .await;
    assert!(description(&callback_data(&replace)).contains("version 2"));
    // A second click can't apply it twice.
    let (again, _) = bot
        .click(&button(&third, "Replace"), &[], &third, &admin())
        .await;
    assert!(description(&callback_data(&again)).contains("already confirmed"));
    let (call, _) = bot.command("recommend", json!([]), &member()).await;
    assert!(title(&callback_data(&call)).starts_with("Third:"));

    let versions = callback_data(
        &admin_command(
            &bot,
            "versions",
            json!([{"name": "set", "type": 3, "value": "team"}]),
        )
        .await,
    );
    assert!(description(&versions).contains("**v2**") && description(&versions).contains("**v1**"));
    let rollback = admin_command(&bot, "rollback", json!([{"name": "set", "type": 3, "value": "team"}, {"name": "version", "type": 4, "value": 1}])).await;
    assert!(description(&callback_data(&rollback)).contains("now the current version (3)"));
    let (call, _) = bot.command("recommend", json!([]), &member()).await;
    assert!(title(&callback_data(&call)).starts_with("First:"));

    // Export gives the stored file; uploading it again changes nothing.
    let export = admin_command(
        &bot,
        "export",
        json!([{"name": "set", "type": 3, "value": "team"}]),
    )
    .await;
    assert_eq!(export.files.len(), 1);
    assert_eq!(export.files[0].filename.as_deref(), Some("team.toml"));
    let exported = export.files[0].bytes.clone();
    assert_eq!(exported, team_set("First:").into_bytes());
    let again = upload(&bot, "team.toml", &exported, false, &admin()).await;
    assert!(
        description(&again).contains("no change to the questions"),
        "{}",
        description(&again)
    );

    // Remove, then reset: back to the built-in default.
    let removed = admin_command(
        &bot,
        "remove",
        json!([{"name": "set", "type": 3, "value": "team"}]),
    )
    .await;
    assert!(description(&callback_data(&removed)).contains("Removed `team`"));
    let (call, _) = bot.command("recommend", json!([]), &member()).await;
    assert!(
        title(&callback_data(&call)).starts_with("Which languages"),
        "default set again"
    );
    bot.fake.assert_no_violations();
}

#[tokio::test]
async fn preview_shows_the_weights_next_to_the_recommendation() {
    let bot = Bot::start().await;
    let call = admin_command(
        &bot,
        "preview",
        json!([{"name": "set", "type": 3, "value": "quick"}]),
    )
    .await;
    assert!(is_ephemeral(&call));
    let token = call.path.split('/').nth(3).unwrap().to_owned();
    let mut message = bot.message(&token);
    for (question, option) in [
        ("language", "elixir"),
        ("app_type", "realtime_app"),
        ("scale", "huge"),
        ("deadline", "normal"),
    ] {
        let (_, token) = answer_in(&bot, "quick", &message, &admin(), question, &[option]).await;
        message = bot.message(&token);
    }
    let fields = message["embeds"][0]["fields"].to_string();
    assert!(
        fields.contains("Criterion weights (preview)") && fields.contains("Scalability ×3.75"),
        "{fields}"
    );
    assert!(title(&message).starts_with("Phoenix"));
    // A preview is not recorded in the admin's history.
    let (history, _) = bot.command("history", json!([]), &admin()).await;
    assert!(description(&callback_data(&history)).contains("no recommendations yet"));
    bot.fake.assert_no_violations();
}

#[tokio::test]
async fn a_panel_keeps_working_after_a_restart_and_results_are_logged_and_kept_in_history() {
    let mut bot = Bot::start().await;
    let options = json!([{"name": "log_channel", "type": 7, "value": payloads::GUILD_CHANNEL_ID.to_string()}]);
    let settings = bot
        .interact(with_channel(
            questions("settings", options, &admin()),
            payloads::GUILD_CHANNEL_ID,
        ))
        .await;
    assert!(description(&callback_data(&settings)).contains("Result logging: in <#"));
    let mark = bot.fake.mark();
    let call = admin_command(&bot, "panel", json!([])).await;
    assert!(description(&callback_data(&call)).contains("Posted the panel"));
    let panel = bot
        .fake
        .wait_for_call(mark, T, |c| c.is("POST", "/channels/*/messages"))
        .await
        .unwrap();
    let panel_message = panel.response.clone().unwrap();

    bot.stop().await;
    bot.connect().await;

    let me = member();
    let (call, token) = bot
        .click(
            &button(&panel_message, "Find my framework"),
            &[],
            &panel_message,
            &me,
        )
        .await;
    assert_eq!(callback_type(&call), 4);
    assert!(
        is_ephemeral(&call),
        "a private conversation for whoever clicked"
    );
    let mut message = bot.message(&token);
    assert!(title(&message).starts_with("Which languages"));
    for (question, option) in [
        ("languages", "php"),
        ("stick_to_languages", "prefer"),
        ("experience", "mixed"),
        ("app_type", "crud"),
        ("scale", "growing"),
        ("realtime", "none"),
        ("deadline", "weeks"),
        ("security", "sensitive"),
        ("maintenance", "years"),
        ("hosting", "paas"),
    ] {
        let (_, token) = answer_in(&bot, "default", &message, &me, question, &[option]).await;
        message = bot.message(&token);
    }
    let mark = bot.fake.mark();
    let (_, token) = bot
        .click(&button(&message, "Skip"), &[], &message, &me)
        .await;
    assert!(title(&bot.message(&token)).starts_with("Laravel"));
    // Logged in the configured channel, without pinging anyone.
    let logged = bot
        .fake
        .wait_for_call(mark, T, |c| c.is("POST", "/channels/*/messages"))
        .await
        .unwrap();
    super::assert_well_formed(logged.body.as_ref().unwrap());
    assert!(logged.body_str("content").starts_with("Recommendation for"));

    // /history re-renders it from storage with its set and guide version.
    let (history, _) = bot.command("history", json!([]), &me).await;
    let list = callback_data(&history);
    assert!(
        description(&list).contains("Laravel · Find your backend framework v2 (guide 2024-09-27)"),
        "{}",
        description(&list)
    );
    let history_message = bot.message(history.path.split('/').nth(3).unwrap());
    let first = components(&history_message)[0]["options"][0]["value"]
        .as_str()
        .unwrap()
        .to_owned();
    let (opened, _) = bot
        .click(&select(&history_message), &[&first], &history_message, &me)
        .await;
    let full = callback_data(&opened);
    assert!(title(&full).starts_with("Laravel"));
    assert!(full["embeds"][0]["footer"]["text"]
        .as_str()
        .unwrap()
        .contains("2024-09-27"));
    bot.fake.assert_no_violations();
}

#[tokio::test]
async fn a_server_copy_of_default_replaces_it_after_confirmation_and_running_conversations_keep_their_version(
) {
    let bot = Bot::start().await;
    let export = admin_command(
        &bot,
        "export",
        json!([{"name": "set", "type": 3, "value": "default"}]),
    )
    .await;
    let source = String::from_utf8(export.files[0].bytes.clone()).unwrap();

    // A member starts on the built-in default before anything changes.
    let me = member();
    let (_, before_token) = bot.command("recommend", json!([]), &me).await;
    let before = bot.message(&before_token);

    // Uploading a set with a built-in's id asks first.
    let edited = source.replace(
        "Which languages does your team already write on the backend?",
        "Server copy: which languages?",
    );
    let pending = upload(&bot, "default.toml", edited.as_bytes(), false, &admin()).await;
    assert!(
        description(&pending).contains("replaces the built-in `default`"),
        "{}",
        description(&pending)
    );
    let (replaced, _) = bot
        .click(&button(&pending, "Replace"), &[], &pending, &admin())
        .await;
    assert!(description(&callback_data(&replaced)).contains("version 1"));

    // New conversations use the server's copy, and can be clicked through.
    let (call, token) = bot.command("recommend", json!([]), &me).await;
    assert!(title(&callback_data(&call)).starts_with("Server copy:"));
    let message = bot.message(&token);
    let (click, token) = bot.click(&select(&message), &["3"], &message, &me).await;
    assert_eq!(callback_type(&click), 7, "not refused as a changed set");
    assert!(title(&bot.message(&token)).starts_with("Must the framework"));

    // The conversation started before keeps the built-in questions.
    let (click, token) = bot.click(&select(&before), &["3"], &before, &me).await;
    assert_eq!(callback_type(&click), 7);
    assert!(title(&bot.message(&token)).starts_with("Must the framework"));
    bot.fake.assert_no_violations();
}

#[tokio::test]
async fn changing_an_answer_after_the_result_updates_the_stored_result_in_place() {
    let bot = Bot::start().await;
    let me = member();
    let (_, token) = bot
        .command(
            "recommend",
            json!([{"name": "set", "type": 3, "value": "quick"}]),
            &me,
        )
        .await;
    let mut message = bot.message(&token);
    for (question, option) in [
        ("language", "php"),
        ("app_type", "crud"),
        ("scale", "medium"),
        ("deadline", "asap"),
    ] {
        let (_, token) = answer_in(&bot, "quick", &message, &me, question, &[option]).await;
        message = bot.message(&token);
    }
    assert!(
        title(&message).starts_with("Laravel"),
        "{}",
        title(&message)
    );
    let (_, token) = bot
        .click(&button(&message, "Change an answer"), &[], &message, &me)
        .await;
    let menu = bot.message(&token);
    let (_, token) = bot.click(&select(&menu), &["0"], &menu, &me).await;
    let (_, token) = answer_in(
        &bot,
        "quick",
        &bot.message(&token),
        &me,
        "language",
        &["elixir"],
    )
    .await;
    let changed = bot.message(&token);
    let winner = title(&changed);
    assert!(
        !winner.starts_with("Laravel"),
        "the change moves the result: {winner}"
    );

    let (history, _) = bot.command("history", json!([]), &me).await;
    let list = description(&callback_data(&history));
    assert_eq!(
        list.lines().count(),
        1,
        "one conversation, one stored result: {list}"
    );
    let first_word = winner.split(' ').next().unwrap();
    assert!(
        list.contains(first_word),
        "the stored result follows the change: {list} / {winner}"
    );

    // "Start over" begins a new run: its result is a second entry.
    let (_, token) = bot
        .click(&button(&changed, "Start over"), &[], &changed, &me)
        .await;
    let mut message = bot.message(&token);
    for (question, option) in [
        ("language", "rust"),
        ("app_type", "api"),
        ("scale", "huge"),
        ("deadline", "normal"),
    ] {
        let (_, token) = answer_in(&bot, "quick", &message, &me, question, &[option]).await;
        message = bot.message(&token);
    }
    let (history, _) = bot.command("history", json!([]), &me).await;
    let list = description(&callback_data(&history));
    assert_eq!(list.lines().count(), 2, "{list}");
    bot.fake.assert_no_violations();
}

#[tokio::test]
async fn with_public_results_a_finished_result_is_also_posted_to_the_channel_once() {
    let bot = Bot::start().await;
    let settings = admin_command(
        &bot,
        "settings",
        json!([{"name": "public_results", "type": 5, "value": true}]),
    )
    .await;
    assert!(description(&callback_data(&settings)).contains("Results: public"));

    let me = member();
    let (_, token) = bot
        .command(
            "recommend",
            json!([{"name": "set", "type": 3, "value": "quick"}]),
            &me,
        )
        .await;
    let mut message = bot.message(&token);
    for (question, option) in [
        ("language", "ruby"),
        ("app_type", "crud"),
        ("scale", "small"),
    ] {
        let (_, token) = answer_in(&bot, "quick", &message, &me, question, &[option]).await;
        message = bot.message(&token);
    }
    let mark = bot.fake.mark();
    let (last, token) = answer_in(&bot, "quick", &message, &me, "deadline", &["asap"]).await;
    assert!(
        is_ephemeral(&last) || callback_type(&last) == 7,
        "the questionnaire itself stays private"
    );
    let posted = bot
        .fake
        .wait_for_call(mark, T, |c| {
            c.is("POST", "/webhooks/*/*") && c.path.contains(&token)
        })
        .await
        .unwrap();
    let card = posted.body.clone().unwrap();
    super::assert_well_formed(&card);
    assert_eq!(card["flags"].as_u64().unwrap_or_default() & 64, 0, "public");
    assert!(
        title(&card).starts_with("Recommended: Ruby on Rails"),
        "{}",
        title(&card)
    );

    // Changing an answer afterwards doesn't post it again.
    let result = bot.message(&token);
    let (_, token) = bot
        .click(&button(&result, "Change an answer"), &[], &result, &me)
        .await;
    let menu = bot.message(&token);
    let mark = bot.fake.mark();
    let (_, token) = bot.click(&select(&menu), &["2"], &menu, &me).await;
    answer_in(
        &bot,
        "quick",
        &bot.message(&token),
        &me,
        "scale",
        &["medium"],
    )
    .await;
    super::assert_quiet(&bot, mark, 2).await;
    bot.fake.assert_no_violations();
}
