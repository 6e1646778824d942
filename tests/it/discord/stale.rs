//! Clicks that must not move a conversation: after Cancel, by someone else, on an
//! outdated message, after the idle timeout. None changes the store. An outdated
//! click by the owner brings the clicked message up to the stored conversation (so a
//! message left behind, e.g. by a reply that failed, never strands its user); the
//! others get a private explanation and leave the clicked message alone.

use std::time::Duration;

use serde_json::json;
use stackpick::discord::custom_id::{Action, ComponentId};

use super::{
    answer, answer_in, assert_ephemeral_notice, assert_quiet, button, callback_data, callback_type,
    components, description, footer, guild_user, select, sent, session_of, title, Bot,
};
use crate::core::builtin;
use crate::support::fake_discord::payloads;

#[tokio::test]
async fn cancel_clears_the_buttons_and_old_buttons_then_show_the_cancellation_again() {
    let bot = Bot::start().await;
    let me = guild_user("cam");
    let (_, token) = bot.command("recommend", json!([]), &me).await;
    let message = bot.message(&token);
    let (_, token) = answer(&bot, &message, &me, "languages", &["php"]).await;
    let message = bot.message(&token);
    assert!(title(&message).starts_with("Must the framework be in a language"));
    // Captured before cancelling: an option of question 2, and Back.
    let option = button(&message, "We'd prefer it, but we're open");
    let back = button(&message, "Back");
    let (session, shown_step) = session_of(&option);

    let (call, token) = bot
        .click(&button(&message, "Cancel"), &[], &message, &me)
        .await;
    assert_eq!(
        callback_type(&call),
        7,
        "Cancel updates the message in place"
    );
    let data = callback_data(&call);
    assert_eq!(
        data["components"],
        json!([]),
        "the update clears the buttons explicitly (omitting them would keep them)"
    );
    assert!(
        description(&data).starts_with("Cancelled.") && description(&data).contains("/recommend"),
        "{data}"
    );
    let cancelled = bot.message(&token);
    assert!(components(&cancelled).is_empty(), "{cancelled}");
    let stored = bot
        .store
        .get(&session)
        .await
        .unwrap()
        .expect("the session is kept");

    // Old buttons of the conversation (as a client that didn't refresh would still show
    // them): an option and Back, both of an earlier step.
    for custom_id in [&option, &back] {
        let mark = bot.fake.mark();
        let (call, _) = bot.click(custom_id, &[], &message, &me).await;
        assert_eq!(callback_type(&call), 7, "brought up to date: {call:?}");
        let data = callback_data(&call);
        assert!(description(&data).starts_with("Cancelled."), "{data}");
        assert_eq!(data["components"], json!([]), "{data}");
        assert_quiet(&bot, mark, 1).await;
    }
    // Even with the current step (a forged or racing click), a cancelled conversation
    // doesn't move.
    assert!(shown_step < stored.step, "Cancel was a step");
    for action in [Action::Back, Action::Pick(0), Action::Skip] {
        let forged = ComponentId::new(&session, stored.step, action).to_string();
        let mark = bot.fake.mark();
        let (call, _) = bot.click(&forged, &[], &message, &me).await;
        let notice = assert_ephemeral_notice(&call, "");
        assert!(
            notice.contains("cancelled") || notice.contains("doesn't match this question"),
            "{action:?}: {notice}"
        );
        assert_quiet(&bot, mark, 1).await;
    }
    assert_eq!(
        bot.store.get(&session).await.unwrap(),
        Some(stored),
        "unchanged"
    );
    assert_eq!(
        bot.message(&token),
        cancelled,
        "the cancelled message is untouched"
    );
    bot.fake.assert_no_violations();
}

#[tokio::test]
async fn someone_elses_buttons_answer_privately_and_leave_the_owners_message_alone() {
    let bot = Bot::start().await;
    let owner = guild_user("olive");
    let other = guild_user("otto");
    let (_, token) = bot.command("recommend", json!([]), &owner).await;
    let first = bot.message(&token);
    let (_, token) = answer(&bot, &first, &owner, "languages", &["ruby"]).await;
    let message = bot.message(&token);
    let option = button(&message, "Yes, only languages we know");
    let (session, _) = session_of(&option);
    let stored = bot.store.get(&session).await.unwrap().unwrap();

    // A button and the select menu of the first question, clicked by someone else.
    let mark = bot.fake.mark();
    let (call, _) = bot.click(&option, &[], &message, &other).await;
    let notice = assert_ephemeral_notice(&call, "This isn't yours");
    assert!(notice.contains("/recommend"), "{notice}");
    let (call, _) = bot.click(&select(&first), &["0"], &first, &other).await;
    assert_ephemeral_notice(&call, "This isn't yours");
    assert_quiet(&bot, mark, 2).await;
    assert!(
        bot.fake
            .calls_since(mark)
            .iter()
            .all(|c| c.body.as_ref().unwrap()["type"] != 7),
        "no update of the owner's message"
    );
    assert_eq!(
        bot.message(&token),
        message,
        "the owner's message is untouched"
    );
    assert_eq!(bot.store.get(&session).await.unwrap(), Some(stored));

    // The button itself is fine: its owner moves on with it.
    let (call, token) = bot.click(&option, &[], &message, &owner).await;
    assert_eq!(callback_type(&call), 7);
    assert!(title(&bot.message(&token)).starts_with("How experienced"));
    bot.fake.assert_no_violations();
}

#[tokio::test]
async fn stale_components_of_a_finished_conversation_show_the_result_again() {
    let bot = Bot::start().await;
    let me = guild_user("fin");
    let quick = json!([{ "name": "set", "type": 3, "value": "quick" }]);
    let (_, token) = bot.command("recommend", quick, &me).await;
    let q1 = bot.message(&token);
    assert!(
        footer(&q1).starts_with("Question 1 of 4"),
        "{}",
        footer(&q1)
    );
    let (_, token) = answer_in(&bot, "quick", &q1, &me, "language", &["elixir"]).await;
    let q2 = bot.message(&token);
    let (_, token) = answer_in(&bot, "quick", &q2, &me, "app_type", &["realtime_app"]).await;
    let q3 = bot.message(&token);
    let (_, token) = answer_in(&bot, "quick", &q3, &me, "scale", &["huge"]).await;
    let q4 = bot.message(&token);
    let (call, token) = answer_in(&bot, "quick", &q4, &me, "deadline", &["long_run"]).await;
    assert_eq!(callback_type(&call), 7);
    let result = bot.message(&token);
    assert!(title(&result).starts_with("Phoenix"), "{}", title(&result));
    let (session, _) = session_of(&button(&result, "Start over"));
    let stored = bot.store.get(&session).await.unwrap().unwrap();

    // An option button of question 2, the select menu of question 1, Back of question 3.
    let mark = bot.fake.mark();
    let old_option = button(&q2, "Something real-time (chat, live data)");
    let (call, _) = bot.click(&old_option, &[], &q2, &me).await;
    assert_shows_result(&call);
    let (call, _) = bot.click(&select(&q1), &["1"], &q1, &me).await;
    assert_shows_result(&call);
    // Back of question 3 would reopen the finished conversation if it were obeyed.
    let (call, _) = bot.click(&button(&q3, "Back"), &[], &q3, &me).await;
    assert_shows_result(&call);
    assert_quiet(&bot, mark, 3).await;
    // Redrawn from the stored conversation: the same result (its chart uploaded anew).
    assert_eq!(
        without_attachments(bot.message(&token)),
        without_attachments(result.clone()),
        "the result is untouched"
    );
    assert_eq!(bot.store.get(&session).await.unwrap(), Some(stored));

    // The result's own buttons still work.
    let (call, token) = bot
        .click(&button(&result, "Change an answer"), &[], &result, &me)
        .await;
    assert_eq!(callback_type(&call), 7);
    let menu = bot.message(&token);
    assert_eq!(
        components(&menu)[0]["options"].as_array().unwrap().len(),
        builtin("quick").questions.len(),
        "every answered question can be changed"
    );
    bot.fake.assert_no_violations();
}

#[tokio::test]
async fn after_the_idle_timeout_a_click_is_told_it_expired_and_a_dm_starts_afresh() {
    let timeout = Duration::from_secs(1);
    let bot = Bot::start_with(|config| config.idle_timeout = timeout).await;
    let me = guild_user("eve");
    let (_, token) = bot.command("recommend", json!([]), &me).await;
    let message = bot.message(&token);
    let option = select(&message);
    let (session, _) = session_of(&option);
    let writer = payloads::user("walt");
    let first_dm = sent(&bot.dm(&writer, "hi").await);
    let dm_session = bot
        .store
        .open_dm(payloads::id_of(&writer).unwrap())
        .await
        .unwrap()
        .expect("the DM conversation is open");

    tokio::time::sleep(timeout + Duration::from_millis(300)).await;

    let mark = bot.fake.mark();
    let (call, _) = bot.click(&option, &["0"], &message, &me).await;
    let notice = assert_ephemeral_notice(&call, "expired");
    assert!(notice.contains("/recommend"), "{notice}");
    assert!(!notice.contains("1 minutes"), "{notice}");
    assert_quiet(&bot, mark, 1).await;
    assert_eq!(
        bot.store.get(&session).await.unwrap(),
        None,
        "expired is removed"
    );
    // Clicked again: the conversation is gone, and says so.
    let (call, _) = bot.click(&option, &["0"], &message, &me).await;
    assert_ephemeral_notice(&call, "has ended");

    // In a DM, the next message says it expired and starts a new conversation.
    let reply = sent(&bot.dm(&writer, "1").await);
    let content = reply["content"].as_str().unwrap_or_default();
    assert!(
        content.contains("expired") && content.contains("start again"),
        "{content}"
    );
    assert_eq!(title(&reply), title(&first_dm), "the first question again");
    assert!(footer(&reply).starts_with("Question 1 of"));
    assert_eq!(bot.store.get(&dm_session.id).await.unwrap(), None);
    let fresh = bot
        .store
        .open_dm(payloads::id_of(&writer).unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_ne!(fresh.id, dm_session.id);
    assert_eq!(
        fresh.conversation.answers.iter().count(),
        0,
        "the `1` started the new conversation, it didn't answer it"
    );
    bot.fake.assert_no_violations();
}

/// An outdated click answered with the stored result, re-rendered on its message.
#[track_caller]
fn assert_shows_result(call: &crate::support::fake_discord::Call) {
    assert_eq!(callback_type(call), 7, "brought up to date: {call:?}");
    let data = callback_data(call);
    assert!(title(&data).starts_with("Phoenix"), "{}", title(&data));
}

/// A message without its attachments (and the embed image that shows one), which a
/// redraw uploads again.
fn without_attachments(mut message: serde_json::Value) -> serde_json::Value {
    if let Some(m) = message.as_object_mut() {
        m.remove("attachments");
        m.remove("edited_timestamp");
    }
    if let Some(embeds) = message["embeds"].as_array_mut() {
        for embed in embeds {
            if let Some(e) = embed.as_object_mut() {
                e.remove("image");
            }
        }
    }
    message
}
