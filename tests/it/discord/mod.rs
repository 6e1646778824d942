//! The real bot against the fake Discord on loopback: every journey asserts on the
//! requests the bot sends back (the fake validates each against Discord's OpenAPI
//! description and the documented limits).

mod journeys;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};
use serenity::all::ShardManager;
use stackpick::config::Config;
use stackpick::discord::{self, State};
use stackpick::guide::Catalogue;
use stackpick::store::{MemoryStore, SessionStore};
use tokio::task::JoinHandle;

use crate::support::fake_discord::payloads::{self, Origin};
use crate::support::fake_discord::{Call, FakeDiscord};

/// Upper bound for every wait.
pub const T: Duration = Duration::from_secs(10);

/// A running bot and the fake Discord it talks to.
pub struct Bot {
    pub fake: FakeDiscord,
    pub store: Arc<dyn SessionStore>,
    pub config: Config,
    task: Option<(JoinHandle<()>, Arc<ShardManager>)>,
}

impl Bot {
    /// A fresh fake Discord and a bot with an in-memory store, connected and ready.
    pub async fn start() -> Bot {
        let fake = FakeDiscord::start().await.expect("the fake Discord starts");
        let mut config =
            Config::from_parts(Path::new("test.toml"), "", Some("fake-token".to_owned())).unwrap();
        config.proxy_url = Some(fake.proxy_url());
        let mut bot = Bot {
            fake,
            store: Arc::new(MemoryStore::default()),
            config,
            task: None,
        };
        bot.connect().await;
        bot
    }

    /// Starts a client against the fake and the bot's store; waits for READY and for
    /// the command registration that follows it.
    pub async fn connect(&mut self) {
        let seen = self.fake.ready_count();
        let mark = self.fake.mark();
        let state = State::new(
            &self.config,
            Catalogue::builtin().clone(),
            Arc::clone(&self.store),
        )
        .unwrap();
        let mut client = discord::client(&self.config, Arc::new(state))
            .await
            .unwrap();
        let shards = client.shard_manager.clone();
        let handle = tokio::spawn(async move {
            let _ = client.start().await;
        });
        self.task = Some((handle, shards));
        self.fake.wait_next_ready(seen, T).await.unwrap();
        self.fake
            .wait_for_call(mark, T, |c| c.is("PUT", "/applications/*/commands"))
            .await
            .unwrap();
    }

    /// Stops the client as a crash would, keeping the store.
    pub async fn stop(&mut self) {
        if let Some((handle, shards)) = self.task.take() {
            shards.shutdown_all().await;
            handle.abort();
        }
    }

    /// Dispatches an interaction and returns the bot's callback to it.
    pub async fn interact(&self, interaction: Value) -> Call {
        let token = interaction["token"].as_str().unwrap().to_owned();
        let mark = self.fake.mark();
        self.fake
            .dispatch("INTERACTION_CREATE", interaction)
            .await
            .unwrap();
        self.fake
            .wait_for_call(mark, T, |c| {
                c.is("POST", "/interactions/*/*/callback") && c.path.contains(&token)
            })
            .await
            .unwrap()
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

impl Drop for Bot {
    fn drop(&mut self) {
        if let Some((handle, _)) = self.task.take() {
            handle.abort();
        }
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
    if call.body.as_ref().unwrap()["type"] != 8 {
        assert_well_formed(&data);
    }
    data
}

/// Whether the callback is ephemeral.
pub fn is_ephemeral(call: &Call) -> bool {
    callback_data(call)["flags"].as_u64().unwrap_or_default() & 64 == 64
}
