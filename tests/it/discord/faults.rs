//! When Discord misbehaves: the fake injects a fault on the Nth request of a route (a
//! 429, a 5xx, an answer slower than the bot's timeout, a dropped connection) and each
//! journey checks the bot gets through it without sending anything twice or leaving
//! the user stuck. Gateway faults are in [`gateway`].

mod gateway;

use std::time::Duration;

use serde_json::{json, Value};

use super::{
    answer_in, callback_data, callback_type, components, description, guild_user, is_ephemeral,
    sent, session_of, title, Bot, T,
};
use crate::core::builtin;
use crate::support::fake_discord::payloads::{self, dm_channel_id, Origin};
use crate::support::fake_discord::{Call, Fault};

/// The bot's timeout for one REST call in these journeys (a `Slow` fault outlasts it).
const TIMEOUT_MS: u64 = 1_000;
/// Longer than [`TIMEOUT_MS`]: the fake's answer comes too late.
const TOO_SLOW: Duration = Duration::from_secs(30);

async fn bot() -> Bot {
    Bot::start_with(|c| c.discord_timeout = Duration::from_millis(TIMEOUT_MS)).await
}

fn rate_limited(global: bool) -> Fault {
    Fault::RateLimited {
        retry_after: 0.05,
        global,
    }
}

/// The calls since `mark` matching `method` and `pattern`.
fn calls(bot: &Bot, mark: usize, method: &str, pattern: &str) -> Vec<Call> {
    let found = bot.fake.calls_since(mark).into_iter();
    found.filter(|c| c.is(method, pattern)).collect()
}

fn statuses(calls: &[Call]) -> Vec<u16> {
    calls.iter().map(|c| c.status).collect()
}

fn prompt(question: &str) -> String {
    builtin("quick")
        .question(&question.into())
        .unwrap()
        .prompt
        .clone()
}

#[tokio::test]
async fn a_dm_through_429s_5xx_a_reset_and_a_timeout_arrives_once() {
    let bot = bot().await;
    let fake = &bot.fake;
    let me = guild_user("weathered");
    let dm_messages = format!("/channels/{}/messages", dm_channel_id(me.user_id()));
    let original = "/webhooks/*/*/messages/@original";
    fake.inject(
        "POST",
        "/interactions/*/*/callback",
        1,
        1,
        rate_limited(true),
    );
    fake.inject("POST", "/users/@me/channels", 1, 1, Fault::Status(500));
    fake.inject("POST", &dm_messages, 1, 1, rate_limited(false));
    fake.inject("POST", &dm_messages, 2, 1, Fault::Status(502));
    // Created, but the connection drops before the answer: the bot can't tell.
    fake.inject("POST", &dm_messages, 3, 1, Fault::Reset { served: true });
    // Edited, but the answer comes after the bot gave up; then a 503.
    fake.inject("PATCH", original, 1, 1, Fault::Slow(TOO_SLOW));
    fake.inject("PATCH", original, 2, 1, Fault::Status(503));

    let mark = fake.mark();
    let options = json!([
        { "name": "set", "type": 3, "value": "quick" },
        { "name": "dm", "type": 5, "value": true },
    ]);
    let interaction = payloads::slash_command("recommend", options, &me);
    let token = interaction["token"].as_str().unwrap().to_owned();
    fake.dispatch("INTERACTION_CREATE", interaction)
        .await
        .unwrap();
    let first = fake
        .wait_for_call(mark, T, |c| {
            c.is("PATCH", original) && c.path.contains(&token)
        })
        .await
        .unwrap();
    let again = fake
        .wait_for_call(first.index + 1, T, |c| {
            c.is("PATCH", original) && c.status == 200
        })
        .await
        .unwrap();

    // The deferral: refused once by the global limit, as Discord words it, then sent.
    let callbacks = calls(&bot, mark, "POST", "/interactions/*/*/callback");
    assert_eq!(statuses(&callbacks), [429, 204]);
    let limited = callbacks[0].response.clone().unwrap();
    assert_eq!(limited["global"], json!(true), "{limited}");
    assert!(limited["retry_after"].as_f64().is_some(), "{limited}");
    assert_eq!(callbacks[0].body, callbacks[1].body, "the same deferral");
    assert_eq!(callback_type(&callbacks[1]), 5);

    assert_eq!(
        statuses(&calls(&bot, mark, "POST", "/users/@me/channels")),
        [500, 200]
    );

    // Four tries of the first question; one message.
    let sends = calls(&bot, mark, "POST", &dm_messages);
    assert_eq!(statuses(&sends), [429, 502, 200, 200]);
    let nonce = &sends[0].body.as_ref().unwrap()["nonce"];
    assert!(nonce.is_string(), "sent with a nonce: {:?}", sends[0].body);
    for send in &sends {
        let body = send.body.as_ref().unwrap();
        assert_eq!(&body["nonce"], nonce, "every try has the same nonce");
        assert_eq!(body["enforce_nonce"], json!(true));
    }
    assert_eq!(
        sends[2].response.as_ref().map(|m| &m["id"]),
        sends[3].response.as_ref().map(|m| &m["id"]),
        "the repeat got the message already created"
    );
    let in_dm: Vec<Value> = fake
        .messages()
        .into_iter()
        .filter(|m| m["channel_id"] == json!(dm_channel_id(me.user_id()).to_string()))
        .collect();
    assert_eq!(in_dm.len(), 1, "one first question in the DM: {in_dm:#?}");
    assert_eq!(title(&in_dm[0]), prompt("language"));

    // The answer: the first try timed out (though it was applied), the second got a
    // 503, the third went through; the same edit every time.
    let edits = calls(&bot, mark, "PATCH", original);
    assert_eq!(statuses(&edits), [200, 503, 200]);
    assert!(edits.iter().all(|e| e.body == first.body));
    let shown = fake.original_response(&token).unwrap();
    assert!(
        description(&shown).contains("I've sent you a DM"),
        "{shown}"
    );
    super::assert_quiet(&bot, again.index + 1, 0).await;
    fake.assert_no_violations();
}

#[tokio::test]
async fn a_public_result_whose_fate_is_unknown_is_not_posted_again() {
    let bot = bot().await;
    let admin = super::server_admin(1_300);
    let settings = json!([{ "name": "public_results", "type": 5, "value": true }]);
    bot.interact(super::questions("settings", settings, &admin))
        .await;
    let me = guild_user("published");
    let quick = json!([{ "name": "set", "type": 3, "value": "quick" }]);
    let (_, token) = bot.command("recommend", quick, &me).await;
    let mut message = bot.message(&token);
    for (question, option) in [
        ("language", "ruby"),
        ("app_type", "crud"),
        ("scale", "small"),
    ] {
        let (_, token) = answer_in(&bot, "quick", &message, &me, question, &[option]).await;
        message = bot.message(&token);
    }
    // The public card: rate limited (surely not posted: sent again), then posted with
    // the connection dropped before the answer (maybe posted: not sent again).
    bot.fake
        .inject("POST", "/webhooks/*/*", 1, 1, rate_limited(false));
    bot.fake
        .inject("POST", "/webhooks/*/*", 2, 1, Fault::Reset { served: true });
    let mark = bot.fake.mark();
    let (last, _) = answer_in(&bot, "quick", &message, &me, "deadline", &["asap"]).await;
    assert_eq!(callback_type(&last), 7, "the result itself is shown");
    let posted = bot
        .fake
        .wait_for_call(mark, T, |c| {
            c.is("POST", "/webhooks/*/*") && c.status == 200
        })
        .await
        .unwrap();
    super::assert_quiet(&bot, posted.index + 1, 0).await;
    assert_eq!(
        statuses(&calls(&bot, mark, "POST", "/webhooks/*/*")),
        [429, 200]
    );
    let cards = bot.fake.messages().into_iter();
    let cards: Vec<Value> = cards
        .filter(|m| title(m).starts_with("Recommended:"))
        .collect();
    assert_eq!(cards.len(), 1, "posted once: {cards:#?}");
    bot.fake.assert_no_violations();
}

#[tokio::test]
async fn a_click_whose_reply_failed_after_the_save_resynchronises_its_message() {
    let bot = bot().await;
    let me = guild_user("stranded");
    let quick = json!([{ "name": "set", "type": 3, "value": "quick" }]);
    let (_, token) = bot.command("recommend", quick, &me).await;
    let q1 = bot.message(&token);
    let (session, step) = session_of(&super::select(&q1));

    // Every try of the click's update is refused; the apology gets through after.
    let callback = "/interactions/*/*/callback";
    let tries = stackpick_attempts();
    bot.fake
        .inject("POST", callback, 1, tries, rate_limited(false));
    let mark = bot.fake.mark();
    let set = builtin("quick");
    let click = super::answer_payload(&set, &q1, &me, "language", &["elixir"]);
    bot.fake
        .dispatch("INTERACTION_CREATE", click)
        .await
        .unwrap();
    let apology = bot
        .fake
        .wait_for_call(mark, T, |c| c.is("POST", callback) && c.status == 204)
        .await
        .unwrap();
    assert!(is_ephemeral(&apology), "{apology:?}");
    assert!(description(&callback_data(&apology)).contains("Sorry"));
    let refused = calls(&bot, mark, "POST", callback);
    assert_eq!(refused.len(), tries + 1, "every try, then the apology");
    let stored = bot.store.get(&session).await.unwrap().unwrap();
    assert_eq!(
        stored.step,
        step + 1,
        "the answer was saved before the reply"
    );

    // The message still shows question 1. Its next click shows where the
    // conversation is, on that very message, instead of a dead end.
    let (call, token) = bot.click(&super::select(&q1), &["0"], &q1, &me).await;
    assert_eq!(
        callback_type(&call),
        7,
        "the clicked message is updated: {call:?}"
    );
    let resynced = bot.message(&token);
    assert_eq!(title(&resynced), prompt("app_type"));
    let shown = components(&resynced);
    let id = shown[0]["custom_id"].as_str().unwrap();
    assert_eq!(session_of(id), (session.clone(), stored.step));
    assert_eq!(
        bot.store.get(&session).await.unwrap().unwrap().step,
        stored.step,
        "resynchronising answers nothing"
    );

    // And its buttons work again.
    let (call, token) =
        answer_in(&bot, "quick", &resynced, &me, "app_type", &["realtime_app"]).await;
    assert_eq!(callback_type(&call), 7);
    assert_eq!(title(&bot.message(&token)), prompt("scale"));
    bot.fake.assert_no_violations();
}

/// How many times the bot tries one call (a rate-limited one included).
fn stackpick_attempts() -> usize {
    stackpick::discord::RETRY_ATTEMPTS as usize
}

#[tokio::test]
async fn a_click_that_cannot_be_answered_in_time_over_the_gateway_is_deferred_first() {
    let bot = bot().await;
    let me = guild_user("patient");
    let quick = json!([{ "name": "set", "type": 3, "value": "quick" }]);
    let (_, token) = bot.command("recommend", quick, &me).await;
    let q1 = bot.message(&token);

    // Another program holds the database's write lock: the click's save waits.
    let file = bot._dir.as_ref().unwrap().path().join("stackpick.db");
    let blocker = rusqlite::Connection::open(file).unwrap();
    blocker.execute_batch("BEGIN IMMEDIATE").unwrap();
    let set = builtin("quick");
    let click = super::answer_payload(&set, &q1, &me, "language", &["elixir"]);
    let token = click["token"].as_str().unwrap().to_owned();
    bot.fake
        .dispatch("INTERACTION_CREATE", click)
        .await
        .unwrap();
    let deferral = bot.fake.wait_for_callback(&token, T).await.unwrap();
    assert_eq!(
        callback_type(&deferral),
        6,
        "acknowledged, the message kept"
    );
    blocker.execute_batch("COMMIT").unwrap();

    // Then the answer, as an edit of the clicked message.
    let edit = bot
        .fake
        .wait_for_call(deferral.index, T, |c| {
            c.is("PATCH", "/webhooks/*/*/messages/@original") && c.path.contains(&token)
        })
        .await
        .unwrap();
    assert_eq!(edit.status, 200);
    assert_eq!(title(edit.body.as_ref().unwrap()), prompt("app_type"));
    assert_eq!(title(&bot.message(&token)), prompt("app_type"));
    bot.fake.assert_no_violations();
}

#[tokio::test]
async fn a_typed_answer_whose_reply_failed_is_not_applied_twice() {
    let bot = bot().await;
    let me = Origin::dm(payloads::user("typist"));
    let first = sent(&bot.dm(&me.user, "hi").await);
    let stored = bot.store.open_dm(me.user_id()).await.unwrap().unwrap();
    let channel = dm_channel_id(me.user_id());
    let path = format!("/channels/{channel}/messages");

    // The answer is saved, then every try of the reply fails.
    bot.fake
        .inject("POST", &path, 1, stackpick_attempts(), Fault::Status(500));
    let mark = bot.fake.mark();
    let answer = payloads::dm_message(&me.user, channel, "1");
    bot.fake.dispatch("MESSAGE_CREATE", answer).await.unwrap();
    let apology = bot
        .fake
        .wait_for_call(mark, T, |c| c.is("POST", &path) && c.status == 200)
        .await
        .unwrap();
    let failed = calls(&bot, mark, "POST", &path);
    assert_eq!(
        failed.len(),
        stackpick_attempts() + 1,
        "every try, then this"
    );
    let now = bot.store.open_dm(me.user_id()).await.unwrap().unwrap();
    assert_eq!(now.step, stored.step + 1, "the answer was saved once");

    // Not "try again" (the same answer would then answer the next question): the
    // question the conversation is at.
    let apology = sent(&apology);
    assert!(
        apology["content"]
            .as_str()
            .unwrap_or_default()
            .contains("Sorry"),
        "{apology}"
    );
    assert_ne!(title(&apology), title(&first), "the next question");
    let id = components(&apology)[0]["custom_id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(session_of(&id), (now.id.clone(), now.step));
    let next = sent(&bot.dm(&me.user, "1").await);
    assert_ne!(
        title(&next),
        title(&apology),
        "it answered the question shown"
    );
    let last = bot.store.open_dm(me.user_id()).await.unwrap().unwrap();
    assert_eq!(last.step, now.step + 1);
    bot.fake.assert_no_violations();
}
