//! Gateway faults: closes that allow a RESUME and closes that don't, INVALID_SESSION,
//! heartbeats the fake stops acknowledging, and a token Discord rejects. Conversations
//! carry on across each, and nothing is answered twice.

use std::io::Read as _;
use std::process::Stdio;
use std::time::Duration;

use serde_json::{json, Value};

use super::prompt;
use crate::discord::{
    answer_in, callback_type, config_file, guild_user, sent, stackpick_command, title, Bot, T,
};
use crate::support::fake_discord::payloads::{self, dm_channel_id, Origin};
use crate::support::fake_discord::FakeDiscord;

/// Starts a DM conversation with a first message; returns the first question.
async fn dm_conversation(bot: &Bot, me: &Origin) -> Value {
    let reply = bot.dm(&me.user, "hi").await;
    sent(&reply)
}

/// The bot's messages in `user`'s DM channel since `mark`.
fn dms_since(bot: &Bot, mark: usize, user: u64) -> Vec<Value> {
    let path = format!("/channels/{}/messages", dm_channel_id(user));
    let calls = bot.fake.calls_since(mark).into_iter();
    calls
        .filter(|c| c.is("POST", &path) && c.status == 200)
        .map(|c| sent(&c))
        .collect()
}

/// Sends a typed DM reply and waits for the bot's answer to it.
async fn typed(bot: &Bot, me: &Origin, text: &str) -> Value {
    sent(&bot.dm(&me.user, text).await)
}

#[tokio::test]
async fn a_resumable_close_resumes_and_replays_what_was_missed_exactly_once() {
    let bot = Bot::start().await;
    let me = Origin::dm(payloads::user("resumer"));
    let first = dm_conversation(&bot, &me).await;
    let readies = bot.fake.ready_count();

    // Discord drops the connection with a code that allows a RESUME; events keep coming.
    bot.fake.close_gateway(4000).unwrap();
    let mark = bot.fake.mark();
    let channel = dm_channel_id(me.user_id());
    let reply = payloads::dm_message(&me.user, channel, "1");
    bot.fake.dispatch("MESSAGE_CREATE", reply).await.unwrap();
    let command = payloads::slash_command("history", json!([]), &guild_user("waiting"));
    let token = command["token"].as_str().unwrap().to_owned();
    bot.fake
        .dispatch("INTERACTION_CREATE", command)
        .await
        .unwrap();

    // The bot resumes the same session and handles both, once.
    let answered = bot.fake.wait_for_callback(&token, T).await.unwrap();
    assert_eq!(answered.status, 204, "{answered:?}");
    let next = bot
        .fake
        .wait_for_call(mark, T, |c| {
            c.is("POST", &format!("/channels/{channel}/messages"))
        })
        .await
        .unwrap();
    assert_ne!(
        title(&sent(&next)),
        title(&first),
        "the typed answer moved it on"
    );
    let resumes = bot.fake.resumes();
    assert_eq!(resumes.len(), 1, "{resumes:?}");
    assert_eq!(
        bot.fake.ready_count(),
        readies,
        "resumed, not identified again"
    );
    // Nothing else: the callback and the DM answer, no replayed duplicate.
    super::super::assert_quiet(&bot, mark, 2).await;
    let callbacks = bot.fake.calls_since(mark).into_iter();
    let callbacks = callbacks.filter(|c| c.is("POST", "/interactions/*/*/callback"));
    assert_eq!(callbacks.count(), 1, "the interaction is answered once");
    assert_eq!(
        dms_since(&bot, mark, me.user_id()).len(),
        1,
        "one DM answer"
    );

    // The conversation goes on.
    let after = typed(&bot, &me, "1").await;
    assert_ne!(title(&after), title(&sent(&next)));
    bot.fake.assert_no_violations();
}

#[tokio::test]
async fn closes_that_end_the_session_and_invalid_sessions_reconnect_without_losing_a_conversation()
{
    let bot = Bot::start().await;
    let me = guild_user("reconnects");
    let quick = json!([{ "name": "set", "type": 3, "value": "quick" }]);
    let (_, token) = bot.command("recommend", quick, &me).await;
    let mut message = bot.message(&token);
    // (what, the fault, whether the client may resume after it)
    let steps = [
        ("close 4009", Err(4009), false),
        ("INVALID_SESSION false", Ok(false), false),
        ("INVALID_SESSION true", Ok(true), true),
    ];
    let answers = [
        ("language", "ruby"),
        ("app_type", "crud"),
        ("scale", "small"),
    ];
    for ((what, fault, resumes), (question, option)) in steps.into_iter().zip(answers) {
        let (readies, resumed) = (bot.fake.ready_count(), bot.fake.resumes().len());
        match fault {
            Err(code) => bot.fake.close_gateway(code).unwrap(),
            Ok(resumable) => bot.fake.invalidate_session(resumable).unwrap(),
        }
        if resumes {
            wait_for(what, || bot.fake.resumes().len() > resumed).await;
            assert_eq!(bot.fake.ready_count(), readies, "{what}: resumed");
        } else {
            bot.fake.wait_next_ready(readies, T).await.unwrap();
        }
        // The conversation is where it was: its next click works.
        let (call, token) = answer_in(&bot, "quick", &message, &me, question, &[option]).await;
        assert_eq!(callback_type(&call), 7, "{what}");
        message = bot.message(&token);
    }
    assert_eq!(title(&message), prompt("deadline"));
    bot.fake.assert_no_violations();
}

#[tokio::test]
async fn heartbeats_left_unacknowledged_lead_to_a_reconnect() {
    let fake = FakeDiscord::start().await.unwrap();
    fake.set_heartbeat_interval(Duration::from_millis(300));
    let bot = Bot::start_on(fake, "").await;
    let me = Origin::dm(payloads::user("heartbeat"));
    let first = dm_conversation(&bot, &me).await;
    let readies = bot.fake.ready_count();
    let resumed = bot.fake.resumes().len();

    bot.fake.stop_heartbeat_acks();
    // A new connection: identified again or resumed, whichever the client picks.
    wait_for("a reconnect", || {
        bot.fake.ready_count() > readies || bot.fake.resumes().len() > resumed
    })
    .await;
    wait_for("an open connection", || !bot.fake.shards().is_empty()).await;
    let next = typed(&bot, &me, "1").await;
    assert_ne!(title(&next), title(&first), "the conversation goes on");
    bot.fake.assert_no_violations();
}

#[tokio::test]
async fn a_rejected_token_stops_serve_with_a_clear_message_and_a_failure_code() {
    let fake = FakeDiscord::start().await.unwrap();
    fake.reject_identify();
    let dir = tempfile::tempdir().unwrap();
    let config = config_file(&fake, dir.path(), "");
    let mut child = stackpick_command(&config, "serve")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the bot process starts");
    let deadline = std::time::Instant::now() + T;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("`stackpick serve` kept running with a rejected token");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert!(!status.success(), "{status:?}");
    assert!(
        stderr.contains("Discord rejected the bot token") && stderr.contains("DISCORD_TOKEN"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("fake-token"),
        "the token is never printed: {stderr}"
    );
    assert_eq!(fake.identifies().len(), 1, "no retry loop on a bad token");
}

/// Waits (up to [`T`]) for `condition`, checking on every few milliseconds.
async fn wait_for(what: &str, condition: impl Fn() -> bool) {
    crate::discord::eventually(what, condition).await;
}
