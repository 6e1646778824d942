//! A restart mid-conversation: conversations live in the store and clicks are routed
//! by custom_id, so a new client carries on where the old one stopped.

use serde_json::json;

use super::{answer, callback_type, footer, guild_user, title, Bot};

#[tokio::test]
async fn a_conversation_survives_a_restart_and_can_be_completed() {
    let mut bot = Bot::start().await;
    let me = guild_user("rita");
    let (_, token) = bot.command("recommend", json!([]), &me).await;
    let message = bot.message(&token);
    let (_, token) = answer(&bot, &message, &me, "languages", &["elixir"]).await;
    let message = bot.message(&token);
    let (_, token) = answer(&bot, &message, &me, "stick_to_languages", &["prefer"]).await;
    let message = bot.message(&token);
    assert!(
        footer(&message).starts_with("Question 3 of 11"),
        "{}",
        footer(&message)
    );

    bot.stop().await;
    bot.connect().await;
    assert_eq!(bot.fake.identifies().len(), 2, "a second client identified");

    // The button of the message shown before the restart answers question 3.
    let (call, token) = answer(&bot, &message, &me, "experience", &["senior"]).await;
    assert_eq!(callback_type(&call), 7);
    let mut message = bot.message(&token);
    assert!(
        footer(&message).starts_with("Question 4 of 11"),
        "{}",
        footer(&message)
    );
    for (question, option) in [
        ("app_type", "realtime_app"),
        ("scale", "large"),
        ("realtime", "critical"),
        ("deadline", "months"),
        ("security", "standard"),
        ("maintenance", "years"),
        ("hosting", "servers"),
    ] {
        let (_, token) = answer(&bot, &message, &me, question, &[option]).await;
        message = bot.message(&token);
    }
    let (_, token) = answer(&bot, &message, &me, "ruled_out", &["no_rust"]).await;
    let result = bot.message(&token);
    assert!(title(&result).starts_with("Phoenix"), "{}", title(&result));
    bot.fake.assert_no_violations();
}
