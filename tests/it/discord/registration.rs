//! Slash command registration: only by the process running shard 0 (unless
//! `register_commands = false`), and only when the definitions differ from what
//! Discord returns for `GET` — at start, and by `stackpick register`.

use std::path::Path;

use serde_json::{json, Value};
use serenity::all::{Command, CreateCommand, HttpBuilder};

use super::{callback_type, config_file, on_shard, stackpick_command, Bot};
use crate::support::fake_discord::{Call, FakeDiscord, APPLICATION_ID};

/// Whether `call` reads or writes the global commands.
fn commands_call(call: &Call, method: &str) -> bool {
    call.is(method, "/applications/*/commands")
}

/// The names of the globally registered commands, sorted.
fn registered(fake: &FakeDiscord) -> Vec<String> {
    let mut names: Vec<String> = fake
        .commands(None)
        .iter()
        .filter_map(|c| c["name"].as_str().map(str::to_owned))
        .collect();
    names.sort();
    names
}

/// What the bot registers.
const COMMANDS: [&str; 10] = [
    "compare",
    "criteria",
    "forget",
    "framework",
    "frameworks",
    "help",
    "history",
    "questions",
    "recommend",
    "team",
];

/// Registers what an older version had (one command, another description), as
/// Discord would keep it.
async fn register_an_older_version(fake: &FakeDiscord) {
    let http = HttpBuilder::new("fake-token")
        .proxy(fake.proxy_url())
        .ratelimiter_disabled(true)
        .application_id(APPLICATION_ID.into())
        .build();
    let old = CreateCommand::new("recommend").description("An older description");
    Command::set_global_commands(&http, vec![old])
        .await
        .unwrap();
    assert_eq!(registered(fake), ["recommend"]);
}

#[tokio::test]
async fn commands_are_registered_at_start_only_when_they_changed() {
    let mut bot = Bot::start().await;
    // The first start reads what Discord has (nothing) and registers every command.
    let calls = bot.fake.calls();
    assert_eq!(calls.iter().filter(|c| commands_call(c, "GET")).count(), 1);
    assert_eq!(bot.fake.put_count(None), 1);
    assert_eq!(registered(&bot.fake), COMMANDS);

    // A restart with the same definitions reads them again and sends nothing.
    let mark = bot.fake.mark();
    bot.shutdown().await;
    bot.connect().await;
    let calls = bot.fake.calls_since(mark);
    assert_eq!(calls.iter().filter(|c| commands_call(c, "GET")).count(), 1);
    assert_eq!(bot.fake.put_count(None), 1, "no PUT when nothing changed");

    // Definitions that differ from Discord's (an older version's) are replaced.
    register_an_older_version(&bot.fake).await;
    bot.shutdown().await;
    bot.connect().await;
    assert_eq!(bot.fake.put_count(None), 3);
    assert_eq!(registered(&bot.fake), COMMANDS);
    bot.fake.assert_no_violations();
}

#[tokio::test]
async fn a_process_without_shard_zero_or_told_not_to_never_registers() {
    for toml in [
        "[gateway]\nregister_commands = false\n",
        "[gateway]\nshards = { first = 1, count = 1, total = 2 }\n",
    ] {
        // Discord has nothing registered: any process that registers would.
        let fake = FakeDiscord::start().await.unwrap();
        let mut bot = Bot::start_on(fake, toml).await;
        bot.shutdown().await;
        bot.connect().await;
        let touched: Vec<String> = (bot.fake.calls().iter())
            .filter(|c| c.path.ends_with("/commands"))
            .map(|c| format!("{} {}", c.method, c.path))
            .collect();
        assert!(touched.is_empty(), "{toml}: {touched:?}");
        assert!(bot.fake.commands(None).is_empty(), "{toml}");
        // It runs its shards all the same.
        let shard = u64::from(toml.contains("first = 1"));
        let origin = on_shard(3_900, "ivy", shard, 2);
        let (call, _) = bot.command("help", json!([]), &origin).await;
        assert_eq!(callback_type(&call), 4, "{toml}");
        bot.fake.assert_no_violations();
    }
}

/// Runs `stackpick register` with `config`; returns its standard output.
async fn stackpick_register(config: &Path) -> String {
    let mut command = stackpick_command(config, "register");
    // The fake answers on this runtime: wait for the process elsewhere.
    let output = tokio::task::spawn_blocking(move || command.output())
        .await
        .unwrap()
        .unwrap();
    assert!(
        output.status.success(),
        "stackpick register failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

#[tokio::test]
async fn stackpick_register_sends_the_commands_only_when_they_differ() {
    let fake = FakeDiscord::start().await.unwrap();
    register_an_older_version(&fake).await;
    let dir = tempfile::tempdir().unwrap();
    let config = config_file(&fake, dir.path(), "");

    let printed = stackpick_register(&config).await;
    assert_eq!(printed.trim(), "Registered the slash commands.");
    assert_eq!(fake.put_count(None), 2, "the older version's, then ours");
    assert_eq!(registered(&fake), COMMANDS);

    let mark = fake.mark();
    let printed = stackpick_register(&config).await;
    assert_eq!(
        printed.trim(),
        "The slash commands are already up to date; nothing was sent."
    );
    let calls: Vec<Value> = fake
        .calls_since(mark)
        .iter()
        .filter(|c| c.path.ends_with("/commands"))
        .map(|c| json!(c.method))
        .collect();
    assert_eq!(calls, [json!("GET")], "read, not written");
    assert_eq!(fake.put_count(None), 2);
    fake.assert_no_violations();
}
