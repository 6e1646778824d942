//! Gateway shards across processes: two processes with disjoint shard ranges over one
//! PostgreSQL are one bot (each guild served by the process running its shard, DMs by
//! shard 0, a conversation continued by whoever takes a stopped process's range over),
//! and `shards = "auto"` runs as many shards as Discord recommends.

use std::time::Duration;

use serde_json::{json, Value};

use super::{
    answer, answer_in, callback_type, eventually, footer, guild_user, launch, on_shard, sent,
    title, Bot, T,
};
use crate::core::builtin;
use crate::store::{Backend, Db};
use crate::support::fake_discord::payloads::{self, Origin};
use crate::support::fake_discord::FakeDiscord;

/// `[gateway]` for a process running shard `first` of 2.
fn one_of_two(first: u32) -> String {
    format!("[gateway]\nshards = {{ first = {first}, count = 1, total = 2 }}\n")
}

/// A whole `/recommend set:quick` conversation, answered towards Phoenix.
async fn quick_to_phoenix(bot: &Bot, origin: &Origin) {
    let set = json!([{"name": "set", "type": 3, "value": "quick"}]);
    let (_, token) = bot.command("recommend", set, origin).await;
    let mut message = bot.message(&token);
    for (question, option) in [
        ("language", "elixir"),
        ("app_type", "realtime_app"),
        ("scale", "huge"),
        ("deadline", "normal"),
    ] {
        let (call, token) = answer_in(bot, "quick", &message, origin, question, &[option]).await;
        assert_eq!(callback_type(&call), 7, "the clicked message is updated");
        message = bot.message(&token);
    }
    assert!(
        title(&message).starts_with("Phoenix"),
        "{}",
        title(&message)
    );
}

/// The prompt of a question of the default set.
fn prompt(question: &str) -> String {
    let set = builtin("default");
    set.question(&question.into()).unwrap().prompt.clone()
}

/// A DM from `user` and the bot's answer in that DM channel, asserted to be the
/// question `next` of the default set.
async fn typed(bot: &Bot, user: &Value, text: &str, next: &str) {
    let call = bot.dm(user, text).await;
    let channel = payloads::dm_channel_id(payloads::id_of(user).unwrap());
    assert_eq!(call.path, format!("/channels/{channel}/messages"));
    assert_eq!(title(&sent(&call)), prompt(next), "after “{text}”");
}

#[tokio::test]
async fn two_shard_processes_on_one_postgresql_are_one_bot() {
    let Some(db) = Db::new(Backend::Postgres).await else {
        return;
    };
    let fake = FakeDiscord::start().await.unwrap();
    // Process A runs shard 0 of 2 (DMs, command registration), process B shard 1; each
    // has its own connection pool on the one database.
    let mut a = Bot::start_on_store(fake, db.open().await, &one_of_two(0)).await;
    let b_config = super::test_config(&a.fake, &one_of_two(1));
    let b = launch(&a.fake, &b_config, db.open().await).await;
    let identifies = a.fake.wait_for_shards(&[0, 1], 2, T).await.unwrap();
    assert_eq!(identifies[0]["shard"], json!([0, 2]));
    assert_eq!(identifies[1]["shard"], json!([1, 2]));
    assert_eq!(a.fake.identifies().len(), 2, "one IDENTIFY per process");
    assert_eq!(a.fake.shards(), vec![[0, 2], [1, 2]]);
    assert_eq!(
        a.fake.put_count(None),
        1,
        "only the shard 0 process registers"
    );

    // A guild on each shard: each conversation runs to its result.
    quick_to_phoenix(&a, &on_shard(3_100, "zoe", 0, 2)).await;
    quick_to_phoenix(&a, &on_shard(3_200, "yan", 1, 2)).await;
    // DMs arrive on shard 0 and work.
    let dm_user = payloads::user_with_id(3_300, "xia");
    typed(&a, &dm_user, "hi", "languages").await;
    // A conversation in a guild of shard 0, two questions in.
    let wim = on_shard(3_400, "wim", 0, 2);
    let (_, token) = a.command("recommend", json!([]), &wim).await;
    let message = a.message(&token);
    let (_, token) = answer(&a, &message, &wim, "languages", &["elixir"]).await;
    let message = a.message(&token);
    let (_, token) = answer(&a, &message, &wim, "stick_to_languages", &["prefer"]).await;
    let message = a.message(&token);
    assert!(footer(&message).starts_with("Question 3 of 11"));

    // A stops (a deploy, say): nothing runs shard 0, so its guilds and the DMs can't be
    // reached, while B goes on serving shard 1 on its own.
    let stopping = std::time::Instant::now();
    a.shutdown().await;
    // Closing its one shard is quick: no other shard of its is queued to start.
    assert!(
        stopping.elapsed() < Duration::from_secs(3),
        "{:?}",
        stopping.elapsed()
    );
    eventually("shard 0 to disconnect", || a.fake.shards() == vec![[1, 2]]).await;
    let unreachable = payloads::slash_command("help", json!([]), &wim);
    let why = a
        .fake
        .dispatch("INTERACTION_CREATE", unreachable)
        .await
        .unwrap_err();
    assert!(why.contains("is not connected"), "{why}");
    quick_to_phoenix(&a, &on_shard(3_500, "vic", 1, 2)).await;

    // A new process takes shard 0 over, with a new pool on the same database: it
    // continues what A stored, in the guild and in the DM, and registers nothing (the
    // commands did not change).
    a.store = db.open().await;
    a.connect().await;
    assert_eq!(a.fake.shards(), vec![[0, 2], [1, 2]]);
    assert_eq!(
        a.fake.put_count(None),
        1,
        "nothing changed, nothing re-registered"
    );
    typed(&a, &dm_user, "4", "stick_to_languages").await;
    let (call, token) = answer(&a, &message, &wim, "experience", &["senior"]).await;
    assert_eq!(callback_type(&call), 7);
    let mut message = a.message(&token);
    assert!(footer(&message).starts_with("Question 4 of 11"));
    for (question, option) in [
        ("app_type", "realtime_app"),
        ("scale", "large"),
        ("realtime", "critical"),
        ("deadline", "months"),
        ("security", "standard"),
        ("maintenance", "years"),
        ("hosting", "servers"),
        ("ruled_out", "no_rust"),
    ] {
        let (_, token) = answer(&a, &message, &wim, question, &[option]).await;
        message = a.message(&token);
    }
    assert!(
        title(&message).starts_with("Phoenix"),
        "{}",
        title(&message)
    );
    // Both processes wrote to the one database: four results, one per finished
    // conversation, and the DM one still asking.
    let results = db.scalar("SELECT COUNT(*) FROM recommendations").await;
    assert_eq!(results, 4);
    assert_eq!(a.store.count_open().await.unwrap(), 1);
    // Each process ran exactly its range: A, B, then A's successor identified once.
    let shards: Vec<Value> = (a.fake.identifies().iter())
        .map(|d| d["shard"].clone())
        .collect();
    assert_eq!(shards, [json!([0, 2]), json!([1, 2]), json!([0, 2])]);
    b.shutdown().await;
    a.fake.assert_no_violations();
}

#[tokio::test]
async fn auto_sharding_runs_as_many_shards_as_discord_recommends() {
    let fake = FakeDiscord::start().await.unwrap();
    fake.set_recommended_shards(2);
    let bot = Bot::start_on(fake, "[gateway]\nshards = \"auto\"\n").await;
    // serenity waits 5 s between the IDENTIFYs of one process.
    let identifies = bot.fake.wait_for_shards(&[0, 1], 2, T).await.unwrap();
    assert_eq!(identifies[0]["shard"], json!([0, 2]));
    assert_eq!(identifies[1]["shard"], json!([1, 2]));
    assert_eq!(bot.fake.shards(), vec![[0, 2], [1, 2]]);
    // Guilds of both shards are served, and DMs.
    quick_to_phoenix(&bot, &on_shard(3_600, "uma", 0, 2)).await;
    quick_to_phoenix(&bot, &on_shard(3_700, "tom", 1, 2)).await;
    typed(
        &bot,
        &payloads::user_with_id(3_800, "sam"),
        "hi",
        "languages",
    )
    .await;
    // The default guild of the other journeys works too.
    let (call, _) = bot.command("help", json!([]), &guild_user("rob")).await;
    assert_eq!(callback_type(&call), 4);
    bot.fake.assert_no_violations();
}
