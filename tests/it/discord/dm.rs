//! Conversations in DMs: typed replies (numbers, labels, near misses, commands),
//! buttons on DM messages, and `/recommend dm:true` from a server with DMs open or
//! closed.

use serde_json::{json, Value};

use super::{
    answer, button, callback_data, callback_type, components, deferred_answer, description, footer,
    guild_user, is_ephemeral, select, sent, title, Bot,
};
use crate::core::builtin;
use crate::support::fake_discord::payloads::{self, dm_channel_id, Origin};
use crate::support::fake_discord::Call;

/// The prompt of a question of a built-in set.
fn prompt(set: &str, question: &str) -> String {
    builtin(set)
        .question(&question.into())
        .unwrap()
        .prompt
        .clone()
}

/// Sends `text` as a DM and returns the bot's answer, asserting it is the question
/// `next` of the default set (a whole new message in the same DM channel).
async fn typed(bot: &Bot, user: &Value, text: &str, next: &str) -> (Call, Value) {
    let call = bot.dm(user, text).await;
    let channel = dm_channel_id(payloads::id_of(user).unwrap());
    assert_eq!(call.path, format!("/channels/{channel}/messages"));
    let body = sent(&call);
    assert_eq!(
        title(&body),
        prompt("default", next),
        "after “{text}”: {}",
        description(&body)
    );
    (call, body)
}

/// The labels of a message's buttons.
fn labels(message: &Value) -> Vec<String> {
    components(message)
        .iter()
        .filter_map(|c| c["label"].as_str().map(str::to_owned))
        .collect()
}

/// The nudge for a reply the bot can't read: a notice, never silence, listing the
/// valid answers of `question`.
async fn nudged(bot: &Bot, user: &Value, text: &str, question: &str) -> String {
    let body = sent(&bot.dm(user, text).await);
    assert!(
        components(&body).is_empty(),
        "a nudge has no buttons: {body}"
    );
    let nudge = description(&body);
    assert!(nudge.starts_with("I didn't get that"), "{nudge}");
    let set = builtin("default");
    let q = set.question(&question.into()).unwrap();
    for (i, option) in q.options.iter().enumerate() {
        let listed = format!("`{}` {}", i + 1, option.label);
        assert!(nudge.contains(&listed), "{listed} missing from {nudge}");
    }
    assert!(
        nudge.contains("`back`") && nudge.contains("`cancel`"),
        "{nudge}"
    );
    nudge
}

#[tokio::test]
async fn a_dm_conversation_typed_and_clicked_reaches_phoenix() {
    let bot = Bot::start().await;
    let user = payloads::user("dana");
    let origin = Origin::dm(user.clone());

    // Any message starts it: an intro, the first question, its components.
    let (_, first) = typed(&bot, &user, "hi", "languages").await;
    let intro = first["content"].as_str().unwrap_or_default();
    assert!(intro.starts_with("Hi!"), "{intro}");
    assert!(footer(&first).starts_with("Question 1 of 11"), "{first}");
    assert!(!select(&first).is_empty() && !button(&first, "Cancel").is_empty());
    assert!(
        description(&first).contains("reply with a number or a name"),
        "DM questions say typing works: {}",
        description(&first)
    );

    // By number (Elixir is option 4 of a multi-choice question).
    typed(&bot, &user, "4", "stick_to_languages").await;
    // By label, commas and all.
    typed(&bot, &user, "We'd prefer it, but we're open", "experience").await;
    // By a close misspelling.
    typed(&bot, &user, "seasond backend enginers", "app_type").await;
    // Replies that match nothing are nudged, with the valid answers.
    nudged(&bot, &user, "banana", "app_type").await;
    let nudge = nudged(&bot, &user, "9", "app_type").await;
    assert!(nudge.contains("there is no option 9"), "{nudge}");
    // Back shows the previous question with the earlier answer highlighted.
    let (_, experience) = typed(&bot, &user, "back", "experience").await;
    let chosen: Vec<String> = components(&experience)
        .iter()
        .filter(|c| c["style"] == 3)
        .filter_map(|c| c["label"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(chosen, ["Seasoned backend engineers"]);
    let (call, app_type) = typed(&bot, &user, "3", "app_type").await;

    // A button on a DM message works too: the message is updated in place.
    let message = call.response.clone().expect("the fake returns the message");
    assert_eq!(message["embeds"], app_type["embeds"]);
    let (click, token) = bot
        .click(
            &button(&message, "A real-time app: chat, live dashboards, games"),
            &[],
            &message,
            &origin,
        )
        .await;
    assert_eq!(callback_type(&click), 7);
    assert!(!is_ephemeral(&click));
    let updated = bot.message(&token);
    assert_eq!(payloads::id_of(&updated), payloads::id_of(&message));
    assert_eq!(title(&updated), prompt("default", "scale"));

    // …and typing carries on from there.
    for (text, next) in [
        ("large", "realtime"),
        ("critical", "deadline"),
        ("2", "security"),
        ("standard web app hygiene", "maintenance"),
        ("2", "hosting"),
        ("servers", "ruled_out"),
    ] {
        typed(&bot, &user, text, next).await;
    }
    let result = sent(&bot.dm(&user, "skip").await);
    assert!(title(&result).starts_with("Phoenix"), "{}", title(&result));
    let labels = labels(&result);
    assert!(labels.iter().any(|l| l == "Start over"), "{labels:?}");
    assert!(
        !labels.iter().any(|l| l == "Share to channel"),
        "there is no channel to share to in a DM: {labels:?}"
    );
    bot.fake.assert_no_violations();
}

#[tokio::test]
async fn recommend_with_dm_sends_the_first_question_by_dm_and_continues_there() {
    let bot = Bot::start().await;
    let me = guild_user("dmitri");
    let user_id = me.user_id();
    let mark = bot.fake.mark();
    let options = json!([
        { "name": "set", "type": 3, "value": "quick" },
        { "name": "dm", "type": 5, "value": true },
    ]);
    let (call, token) = bot.command("recommend", options, &me).await;
    // Acknowledged at once, answered once the DM is sent.
    assert_eq!(callback_type(&call), 5);
    assert!(is_ephemeral(&call));
    let answered = deferred_answer(&bot, &token).await;
    let notice = description(answered.body.as_ref().unwrap());
    assert!(notice.contains("I've sent you a DM"), "{notice}");

    let calls = bot.fake.calls_since(mark);
    let open = calls
        .iter()
        .find(|c| c.is("POST", "/users/@me/channels"))
        .expect("the bot opens the DM channel");
    assert_eq!(open.body_str("recipient_id"), user_id.to_string());
    let path = format!("/channels/{}/messages", dm_channel_id(user_id));
    let dm = calls
        .iter()
        .find(|c| c.is("POST", &path))
        .expect("the first question goes to the DM channel");
    assert!(dm.index < answered.index, "sent before saying it was sent");
    let first = sent(dm);
    assert_eq!(title(&first), prompt("quick", "language"));
    assert!(footer(&first).starts_with("Question 1 of 4"));
    assert!(!select(&first).is_empty(), "with its components");
    assert!(description(&first).contains("reply with a number"));

    // The DM conversation takes typed replies, and its result has no Share button
    // (a DM has no channel to share to).
    for (text, next) in [("elixir", "app_type"), ("4", "scale"), ("huge", "deadline")] {
        let body = sent(&bot.dm(&me.user, text).await);
        assert_eq!(title(&body), prompt("quick", next), "after “{text}”");
    }
    let result = sent(&bot.dm(&me.user, "3").await);
    assert!(title(&result).starts_with("Phoenix"), "{}", title(&result));
    let labels = labels(&result);
    assert!(labels.iter().any(|l| l == "Start over"), "{labels:?}");
    assert!(
        !labels.iter().any(|l| l == "Share to channel"),
        "no Share in a DM: {labels:?}"
    );
    bot.fake.assert_no_violations();
}

#[tokio::test]
async fn recommend_with_dm_and_closed_dms_carries_on_privately_in_the_channel() {
    let bot = Bot::start().await;
    let me = guild_user("closed");
    bot.fake.close_dms_for(me.user_id());
    let mark = bot.fake.mark();
    let options = json!([{ "name": "dm", "type": 5, "value": true }]);
    let (call, token) = bot.command("recommend", options, &me).await;
    let data = deferred_answer(&bot, &token).await.body.unwrap();

    let refused = bot
        .fake
        .calls_since(mark)
        .into_iter()
        .find(|c| c.is("POST", "/channels/*/messages"))
        .expect("the bot tried the DM");
    assert_eq!(refused.status, 403);
    assert_eq!(callback_type(&call), 5);
    assert!(is_ephemeral(&call), "only the user sees it");
    let content = data["content"].as_str().unwrap_or_default();
    assert!(content.contains("can't send you DMs"), "{content}");
    assert_eq!(title(&data), prompt("default", "languages"));
    assert!(
        !select(&data).is_empty(),
        "the first question, with components"
    );
    assert!(
        !description(&data).contains("reply with a number"),
        "no typed replies in a server channel: {}",
        description(&data)
    );

    // The question works in the channel.
    let message = bot.message(&token);
    let (call, token) = answer(&bot, &message, &me, "languages", &["rust"]).await;
    assert_eq!(callback_type(&call), 7);
    assert_eq!(
        title(&bot.message(&token)),
        prompt("default", "stick_to_languages")
    );
    bot.fake.assert_no_violations();
}

#[tokio::test]
async fn recommend_as_a_slash_command_in_the_bots_dm_is_visible_and_takes_typed_replies() {
    let bot = Bot::start().await;
    let user = payloads::user("sam");
    let origin = Origin::dm(user.clone());
    let options = json!([{ "name": "set", "type": 3, "value": "quick" }]);
    let (call, _) = bot.command("recommend", options, &origin).await;
    assert_eq!(callback_type(&call), 4);
    assert!(!is_ephemeral(&call), "nothing to hide in a DM");
    assert_eq!(title(&callback_data(&call)), prompt("quick", "language"));

    // The conversation takes typed replies in the same DM, to the end.
    for (text, next) in [("rust", "app_type"), ("api", "scale"), ("huge", "deadline")] {
        let body = sent(&bot.dm(&user, text).await);
        assert_eq!(title(&body), prompt("quick", next), "after “{text}”");
    }
    let result = sent(&bot.dm(&user, "long run").await);
    assert!(!title(&result).is_empty(), "a result: {result}");
    assert!(!labels(&result).iter().any(|l| l == "Share to channel"));
    bot.fake.assert_no_violations();
}
