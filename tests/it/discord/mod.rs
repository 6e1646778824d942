//! The real bot against the fake Discord on loopback: every journey asserts on the
//! requests the bot sends back (the fake validates each against Discord's OpenAPI
//! description and the documented limits).

mod admin;
mod conflicts_and_coverage;
mod crash;
mod dm;
mod history;
mod info;
mod journeys;
mod restart;
mod stale;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};
use stackpick::config::Config;
use stackpick::discord::app::App;
use stackpick::discord::{self, State};
use stackpick::guide::Catalogue;
use stackpick::store::{SqliteStore, Storage};

use crate::core::builtin;
use crate::support::fake_discord::payloads::{self, Origin, MEMBER_PERMISSIONS};
use crate::support::fake_discord::{Call, FakeDiscord};

/// Upper bound for every wait.
pub const T: Duration = Duration::from_secs(10);

/// A running bot and the fake Discord it talks to.
pub struct Bot {
    pub fake: FakeDiscord,
    pub store: Arc<dyn Storage>,
    /// Holds the database file for the bot's lifetime.
    _dir: tempfile::TempDir,
    pub config: Config,
    app: Option<App>,
}

impl Bot {
    /// A fresh fake Discord and a bot with a SQLite store in a temporary folder, connected and ready.
    pub async fn start() -> Bot {
        Bot::start_with(|_| {}).await
    }

    /// Like [`Bot::start`], with the configuration adjusted by `adjust` before the
    /// client is built (e.g. a short `idle_timeout`).
    pub async fn start_with(adjust: impl FnOnce(&mut Config)) -> Bot {
        let fake = FakeDiscord::start().await.expect("the fake Discord starts");
        let mut config =
            Config::from_parts(Path::new("test.toml"), "", Some("fake-token".to_owned())).unwrap();
        config.proxy_url = Some(fake.proxy_url());
        adjust(&mut config);
        let dir = tempfile::tempdir().unwrap();
        let mut bot = Bot {
            fake,
            store: Arc::new(SqliteStore::open(&dir.path().join("stackpick.db")).unwrap()),
            _dir: dir,
            config,
            app: None,
        };
        bot.connect().await;
        bot
    }

    /// Starts the bot process's parts (as `stackpick serve` does) against the fake and
    /// the bot's store; commands are registered (if changed) before the gateway
    /// connects, so READY means ready.
    pub async fn connect(&mut self) {
        let seen = self.fake.ready_count();
        let state = State::new(
            &self.config,
            Catalogue::builtin().clone(),
            Arc::clone(&self.store),
        )
        .unwrap();
        let app = discord::app::start(&self.config, Arc::new(state))
            .await
            .unwrap();
        self.app = Some(app);
        self.fake.wait_next_ready(seen, T).await.unwrap();
    }

    /// Stops the bot as a crash would, keeping the store.
    pub async fn stop(&mut self) {
        if let Some(app) = self.app.take() {
            app.abort().await;
        }
    }

    /// Dispatches an interaction and returns the bot's callback to it.
    pub async fn interact(&self, interaction: Value) -> Call {
        let token = interaction["token"].as_str().unwrap().to_owned();
        let sent = std::time::Instant::now();
        self.fake
            .dispatch("INTERACTION_CREATE", interaction)
            .await
            .unwrap();
        let call = self.fake.wait_for_callback(&token, T).await.unwrap();
        assert!(
            call.is("POST", "/interactions/*/*/callback") && call.path.contains(&token),
            "{call:?}"
        );
        assert!(
            call.received.saturating_duration_since(sent) < Duration::from_secs(3),
            "Discord drops interactions not answered within 3 s"
        );
        call
    }

    /// A slash command; returns (callback, interaction token).
    pub async fn command(&self, name: &str, options: Value, origin: &Origin) -> (Call, String) {
        let interaction = payloads::slash_command(name, options, origin);
        let token = interaction["token"].as_str().unwrap().to_owned();
        (self.interact(interaction).await, token)
    }

    /// Clicks a component of `message`; returns (callback, interaction token).
    pub async fn click(
        &self,
        custom_id: &str,
        values: &[&str],
        message: &Value,
        origin: &Origin,
    ) -> (Call, String) {
        let kind = if values.is_empty() { 2 } else { 3 };
        let interaction = payloads::component_click(custom_id, kind, values, message, origin);
        let token = interaction["token"].as_str().unwrap().to_owned();
        (self.interact(interaction).await, token)
    }

    /// The message an interaction's response created or updated.
    pub fn message(&self, token: &str) -> Value {
        self.fake
            .original_response(token)
            .expect("the interaction has a message")
    }

    /// Sends a DM from `user` and returns the bot's next channel message.
    pub async fn dm(&self, user: &Value, content: &str) -> Call {
        let channel = payloads::dm_channel_id(payloads::id_of(user).unwrap());
        let mark = self.fake.mark();
        self.fake
            .dispatch(
                "MESSAGE_CREATE",
                payloads::dm_message(user, channel, content),
            )
            .await
            .unwrap();
        self.fake
            .wait_for_call(mark, T, |c| c.is("POST", "/channels/*/messages"))
            .await
            .unwrap()
    }
}

/// Every component of a message or response body, flattened.
pub fn components(message: &Value) -> Vec<Value> {
    message["components"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row["components"].as_array().cloned().unwrap_or_default())
        .collect()
}

/// The custom_id of the button labelled `label`.
pub fn button(message: &Value, label: &str) -> String {
    components(message)
        .iter()
        .find(|c| c["type"] == 2 && c["label"] == label)
        .and_then(|c| c["custom_id"].as_str())
        .unwrap_or_else(|| panic!("no button `{label}` in {}", message["components"]))
        .to_owned()
}

/// The custom_id of the first select menu.
pub fn select(message: &Value) -> String {
    components(message)
        .iter()
        .find(|c| c["type"] == 3)
        .and_then(|c| c["custom_id"].as_str())
        .unwrap_or_else(|| panic!("no select menu in {}", message["components"]))
        .to_owned()
}

/// The first embed's title.
pub fn title(message: &Value) -> String {
    message["embeds"][0]["title"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// Asserts the rules every message body of ours follows.
pub fn assert_well_formed(data: &Value) {
    assert_eq!(
        data["allowed_mentions"],
        json!({"parse": [], "users": [], "roles": []}),
        "no mentions: {data}"
    );
    for component in components(data) {
        if let Some(id) = component["custom_id"].as_str() {
            assert!(!id.is_empty() && id.len() <= 100, "custom_id {id}");
        }
        if let Some(label) = component["label"].as_str() {
            assert!(label.chars().count() <= 80, "label {label}");
        }
    }
}

/// The interaction callback's `data`, checked for our invariants.
pub fn callback_data(call: &Call) -> Value {
    let data = call.body.as_ref().unwrap()["data"].clone();
    // Autocomplete choices and deferred acknowledgements (5, 6) carry no message.
    if ![5, 6, 8].contains(
        &call.body.as_ref().unwrap()["type"]
            .as_u64()
            .unwrap_or_default(),
    ) {
        assert_well_formed(&data);
    }
    data
}

/// For a deferred response (callback type 5): waits for the edit that carries the
/// answer and returns that call, its body checked for our invariants.
pub async fn deferred_answer(bot: &Bot, token: &str) -> Call {
    let edit = bot
        .fake
        .wait_for_call(0, T, |c| {
            c.is("PATCH", "/webhooks/*/*/messages/@original") && c.path.contains(token)
        })
        .await
        .unwrap();
    assert_well_formed(edit.body.as_ref().unwrap());
    edit
}

/// Whether the callback is ephemeral.
pub fn is_ephemeral(call: &Call) -> bool {
    callback_data(call)["flags"].as_u64().unwrap_or_default() & 64 == 64
}

/// The first embed's description.
pub fn description(message: &Value) -> String {
    message["embeds"][0]["description"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// The first embed's footer text.
pub fn footer(message: &Value) -> String {
    message["embeds"][0]["footer"]["text"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// The body of a channel message the bot sent (a DM), checked for our invariants.
pub fn sent(call: &Call) -> Value {
    assert_eq!(call.status, 200, "the message was accepted: {call:?}");
    let body = call.body.clone().unwrap();
    assert_well_formed(&body);
    body
}

/// An ordinary member of the fake guild.
pub fn guild_user(name: &str) -> Origin {
    Origin::guild(payloads::member(&payloads::user(name), MEMBER_PERMISSIONS))
}

/// Answers the question of the `default` set shown in `message`.
pub async fn answer(
    bot: &Bot,
    message: &Value,
    origin: &Origin,
    question: &str,
    options: &[&str],
) -> (Call, String) {
    answer_in(bot, "default", message, origin, question, options).await
}

/// Answers the question of the built-in set `set` shown in `message` with option ids,
/// by clicking the option's button or picking it in the select menu.
pub async fn answer_in(
    bot: &Bot,
    set: &str,
    message: &Value,
    origin: &Origin,
    question: &str,
    options: &[&str],
) -> (Call, String) {
    let set = builtin(set);
    let q = set.question(&question.into()).unwrap();
    assert!(
        title(message).starts_with(&q.prompt),
        "expected `{}`, shown `{}`",
        q.prompt,
        title(message)
    );
    let indices: Vec<String> = options
        .iter()
        .map(|o| (q.option_number(&(*o).into()).unwrap() - 1).to_string())
        .collect();
    let has_select = components(message).iter().any(|c| c["type"] == 3);
    if has_select {
        let values: Vec<&str> = indices.iter().map(String::as_str).collect();
        bot.click(&select(message), &values, message, origin).await
    } else {
        let label = &q.option(options[0]).unwrap().label;
        bot.click(&button(message, label), &[], message, origin)
            .await
    }
}

/// The callback's type (4 new message, 7 update, 8 autocomplete, ...).
pub fn callback_type(call: &Call) -> u64 {
    call.body.as_ref().unwrap()["type"].as_u64().unwrap()
}

/// Asserts `call` is an ephemeral new message (type 4, flag 64) whose notice contains
/// `text`, and returns that notice.
#[track_caller]
pub fn assert_ephemeral_notice(call: &Call, text: &str) -> String {
    assert_eq!(
        callback_type(call),
        4,
        "a new message, not an update: {call:?}"
    );
    assert!(is_ephemeral(call), "only the clicker sees it: {call:?}");
    let data = callback_data(call);
    assert!(
        components(&data).is_empty(),
        "a notice has no components: {data}"
    );
    let notice = description(&data);
    assert!(notice.contains(text), "expected “{text}” in “{notice}”");
    notice
}

/// Waits `QUIET` and asserts the bot made exactly `expected` REST calls since `mark`
/// (a negative check: nothing else was sent, edited or deleted).
pub async fn assert_quiet(bot: &Bot, mark: usize, expected: usize) {
    tokio::time::sleep(QUIET).await;
    let calls = bot.fake.calls_since(mark);
    assert_eq!(
        calls.len(),
        expected,
        "unexpected requests: {:#?}",
        calls
            .iter()
            .map(|c| format!("{} {} -> {}", c.method, c.path, c.status))
            .collect::<Vec<_>>()
    );
}

/// How long a negative check waits for a request that must not come.
pub const QUIET: Duration = Duration::from_millis(300);

/// A member with Manage Server (1 << 5) on top of an ordinary member's permissions;
/// the id is fixed so they can drive their own buttons.
pub fn server_admin(id: u64) -> Origin {
    let permissions = (MEMBER_PERMISSIONS.parse::<u64>().unwrap() | 32).to_string();
    Origin::guild(payloads::member(
        &payloads::user_with_id(id, "admin"),
        &permissions,
    ))
}

/// `/questions <sub> …options`.
pub fn questions(sub: &str, options: Value, origin: &Origin) -> Value {
    payloads::slash_command(
        "questions",
        json!([{ "name": sub, "type": 1, "options": options }]),
        origin,
    )
}

/// `/questions upload` of a hosted attachment, with `activate` when given.
pub fn upload_command(attachment: &Value, activate: Option<bool>, origin: &Origin) -> Value {
    let mut options = vec![json!({ "name": "file", "type": 11, "value": attachment["id"] })];
    if let Some(activate) = activate {
        options.push(json!({ "name": "activate", "type": 5, "value": activate }));
    }
    payloads::with_attachment(
        questions("upload", Value::Array(options), origin),
        attachment,
    )
}
