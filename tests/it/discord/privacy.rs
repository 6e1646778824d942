//! Users' data in their hands, on the fake Discord: `/forget` (over the gateway and
//! the HTTP endpoint), an admin deleting a server's data from `/questions settings`,
//! and the bot's removal from a server (GUILD_DELETE) — but not an outage.

use std::sync::Arc;

use serde_json::{json, Value};
use stackpick::ids::SetId;
use stackpick::store::{Session, Storage};

use super::{
    assert_ephemeral_notice, button, callback_data, callback_type, components, description,
    is_ephemeral, questions, server_admin, Bot, HttpWorker, Transport, T,
};
use crate::store::{result, session, Backend, Db};
use crate::support::fake_discord::payloads::{self, Origin, GUILD_ID, MEMBER_PERMISSIONS};
use crate::support::fake_discord::FakeDiscord;

fn member(id: u64, name: &str) -> Origin {
    Origin::guild(payloads::member(
        &payloads::user_with_id(id, name),
        MEMBER_PERMISSIONS,
    ))
}

/// A stored result of `user` (in `guild`, or a DM) with its finished conversation.
async fn stored_result(store: &dyn Storage, id: &str, user: u64, guild: Option<u64>) -> Session {
    let mut s = session(id, user, None, stackpick::store::now_ms());
    s.guild_id = guild;
    store.put(&s).await.unwrap();
    store
        .add_result(&result(user, guild, stackpick::store::now_ms()), &mut s)
        .await
        .unwrap();
    s
}

/// `/forget`, Cancel (nothing goes), `/forget` again, confirm: the user's data is
/// gone and the reply counts it; another user's stays.
async fn forget_journey(bot: &impl Transport, store: &Arc<dyn Storage>) {
    let me = member(2_001, "forgetful");
    let other = member(2_002, "stays");
    stored_result(store.as_ref(), "mine", me.user_id(), Some(GUILD_ID)).await;
    stored_result(store.as_ref(), "theirs", other.user_id(), None).await;
    // A conversation in progress, started the ordinary way.
    let (started, _) = bot.command("recommend", json!([]), &me).await;
    assert_eq!(callback_type(&started), 4);

    let (asked, token) = bot.command("forget", json!([]), &me).await;
    assert!(is_ephemeral(&asked), "only the user sees it");
    assert!(description(&callback_data(&asked)).contains("Delete everything I store about you?"));
    let message = bot.message(&token);
    assert_eq!(components(&message).len(), 2);
    let (cancelled, _) = bot
        .click(&button(&message, "Cancel"), &[], &message, &me)
        .await;
    assert_eq!(callback_type(&cancelled), 7, "the question is replaced");
    assert!(description(&callback_data(&cancelled)).contains("Nothing was deleted"));
    assert_eq!(
        store.recent_results(me.user_id(), 10).await.unwrap().len(),
        1
    );

    let (_, token) = bot.command("forget", json!([]), &me).await;
    let message = bot.message(&token);
    let (done, _) = bot
        .click(&button(&message, "Delete my data"), &[], &message, &me)
        .await;
    assert_eq!(callback_type(&done), 7);
    let data = callback_data(&done);
    assert!(components(&data).is_empty(), "no buttons left: {data}");
    let text = description(&data);
    assert!(
        text.contains("2 conversations, 1 recommendation and 0 pending uploads"),
        "{text}"
    );
    assert!(store
        .recent_results(me.user_id(), 10)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(store.get("mine").await.unwrap(), None);
    let (history, _) = bot.command("history", json!([]), &me).await;
    assert_ephemeral_notice(&history, "You have no recommendations yet");
    // The other user keeps theirs.
    assert_eq!(
        store
            .recent_results(other.user_id(), 10)
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(store.get("theirs").await.unwrap().is_some());
    bot.fake().assert_no_violations();
}

#[tokio::test]
async fn forget_asks_first_then_deletes_everything_of_the_user_over_the_gateway() {
    let bot = Bot::start().await;
    forget_journey(&bot, &bot.store).await;
}

#[tokio::test]
async fn forget_works_the_same_over_the_http_endpoint() {
    let fake = FakeDiscord::start().await.unwrap();
    let db = Db::new(Backend::Sqlite).await.unwrap();
    let store = db.open().await;
    let worker = HttpWorker::start(&fake, Arc::clone(&store)).await;
    forget_journey(&worker, &store).await;
}

/// A server with a set of its own, settings, a result and a conversation of a member
/// there; the member also has a DM result.
async fn server_with_data(store: &dyn Storage, guild: u64, member: u64) {
    store
        .add_set_version(guild, &SetId::from("team"), Some("id = \"team\""), 1, true)
        .await
        .unwrap();
    stored_result(store, &format!("in-{guild}"), member, Some(guild)).await;
    stored_result(store, &format!("dm-{guild}"), member, None).await;
}

#[tokio::test]
async fn an_admin_deletes_the_servers_data_after_confirming_and_members_cannot() {
    let bot = Bot::start().await;
    let store = bot.store.as_ref();
    let admin = server_admin(2_100);
    let someone = member(2_101, "someone");
    server_with_data(store, GUILD_ID, someone.user_id()).await;
    let delete = json!([{ "name": "delete_server_data", "type": 5, "value": true }]);

    // Without Manage Server: refused before anything is asked.
    let refused = bot
        .interact(questions("settings", delete.clone(), &someone))
        .await;
    assert_ephemeral_notice(&refused, "Manage Server");

    let interaction = questions("settings", delete, &admin);
    let token = interaction["token"].as_str().unwrap().to_owned();
    let asked = bot.interact(interaction).await;
    assert!(is_ephemeral(&asked));
    assert!(description(&callback_data(&asked)).contains("Delete all of this server's data?"));
    assert_eq!(
        store.current_sets(GUILD_ID).await.unwrap().len(),
        1,
        "asked, not done"
    );
    let message = bot.message(&token);
    let yes = button(&message, "Delete this server's data");

    // A click by someone without Manage Server (a forged or stale client) changes nothing.
    let (refused, _) = bot.click(&yes, &[], &message, &someone).await;
    assert_ephemeral_notice(&refused, "Only members with Manage Server");
    assert_eq!(store.current_sets(GUILD_ID).await.unwrap().len(), 1);

    let (done, _) = bot.click(&yes, &[], &message, &admin).await;
    assert_eq!(callback_type(&done), 7);
    let text = description(&callback_data(&done));
    assert!(
        text.contains("1 conversation, 1 recommendation, 0 pending uploads, 1 question set version and 1 settings record"),
        "{text}"
    );
    assert!(store.current_sets(GUILD_ID).await.unwrap().is_empty());
    assert_eq!(store.settings(GUILD_ID).await.unwrap(), Default::default());
    // The member's DM result is theirs, not the server's.
    let left = store.recent_results(someone.user_id(), 10).await.unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].guild_id, None);
    bot.fake.assert_no_violations();
}

/// Waits until `guild` has no set left (the bot handles events on its own tasks).
async fn until_forgotten(store: &dyn Storage, guild: u64) {
    let deadline = tokio::time::Instant::now() + T;
    while !store.current_sets(guild).await.unwrap().is_empty() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "server {guild}'s data was not deleted"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn removal_from_a_server_deletes_its_data_but_an_outage_deletes_nothing() {
    let bot = Bot::start().await;
    let store = bot.store.as_ref();
    let identify = bot.fake.identifies().pop().unwrap();
    assert_ne!(
        identify["intents"].as_u64().unwrap() & 1,
        0,
        "GUILDS: without it Discord never says the bot was removed"
    );
    let (outage, removed) = (GUILD_ID, GUILD_ID + 1);
    server_with_data(store, outage, 2_201).await;
    server_with_data(store, removed, 2_202).await;

    // An outage first, then a removal: when the removal's data is gone, the outage
    // (sent before it, on the same connection) has been seen and kept everything.
    let gone: Value = payloads::guild_delete(outage, Some(true));
    bot.fake.dispatch("GUILD_DELETE", gone).await.unwrap();
    bot.fake
        .dispatch("GUILD_DELETE", payloads::guild_delete(removed, None))
        .await
        .unwrap();
    until_forgotten(store, removed).await;
    assert!(store.recent_results(2_202, 10).await.unwrap()[0]
        .guild_id
        .is_none());
    assert_eq!(store.get(&format!("in-{removed}")).await.unwrap(), None);

    assert_eq!(store.current_sets(outage).await.unwrap().len(), 1);
    assert!(store.get(&format!("in-{outage}")).await.unwrap().is_some());
    assert_eq!(store.recent_results(2_201, 10).await.unwrap().len(), 2);
    assert!(store.settings(outage).await.unwrap().active_set.is_some());
    bot.fake.assert_no_violations();
}
