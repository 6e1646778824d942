//! `/history` shows results stored by earlier versions of the bot.

use serde_json::json;
use stackpick::conversation::Conversation;
use stackpick::engine::Recommendation;
use stackpick::questionnaire::Answers;
use stackpick::store::{Session, StoredResult};

use super::{components, guild_user, select, settled, title, Bot};
use crate::core::builtin;

#[tokio::test]
async fn a_result_stored_before_the_margin_was_taken_apart_still_opens_from_history() {
    let bot = Bot::start().await;
    let me = guild_user("old-timer");
    let fixture = include_str!("../core/fixtures/result_stored_before_the_margin.json");
    let recommendation: Recommendation = serde_json::from_str(fixture).unwrap();
    let set = builtin("default");
    let mut session = Session {
        id: "legacy".to_owned(),
        user_id: me.user_id(),
        guild_id: None,
        dm_channel_id: None,
        step: 0,
        conversation: Conversation::start(&set),
        updated_at_ms: 0,
        preview: false,
        set_revision: None,
        result_id: None,
        lobby: None,
    };
    let stored = StoredResult {
        id: 0,
        user_id: me.user_id(),
        guild_id: None,
        set_id: set.id.clone(),
        set_version: set.version,
        set_title: set.title.clone(),
        answers: Answers::default(),
        recommendation,
        // Recent: the retention purge (which runs at start) keeps it.
        created_at_ms: stackpick::store::now_ms(),
    };
    bot.store.add_result(&stored, &mut session).await.unwrap();

    let (history, token) = bot.command("history", json!([]), &me).await;
    let list = settled(&bot, &history, &token).await;
    assert!(list.to_string().contains("Phoenix"), "{list}");
    let first = components(&list)[0]["options"][0]["value"]
        .as_str()
        .unwrap()
        .to_owned();
    let (opened, token) = bot.click(&select(&list), &[&first], &list, &me).await;
    // The message as it ends up (on a loaded machine the bot may defer and edit).
    let full = settled(&bot, &opened, &token).await;
    assert!(title(&full).starts_with("Phoenix"), "{full}");
    let fields = full["embeds"][0]["fields"].to_string();
    // Rendered as it was computed: its deciding criterion and its trade-off.
    assert!(
        fields.contains("What decided it")
            && fields.contains("**Security** (weight ×1)")
            && fields.contains("Community & ecosystem is rated 2.5/5"),
        "{fields}"
    );
    bot.fake.assert_no_violations();
}
