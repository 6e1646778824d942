//! The real bot against the fake Discord on loopback: every journey asserts on the
//! requests the bot sends back (the fake validates each against Discord's OpenAPI
//! description and the documented limits). Interactions reach the bot over the gateway
//! ([`Bot`]) or its HTTP interactions endpoint ([`HttpWorker`]); the helpers take
//! either ([`Transport`]).

mod admin;
mod attachments;
mod chart;
mod conflicts_and_coverage;
mod crash;
mod dm;
mod faults;
mod history;
mod http;
mod info;
mod journeys;
mod ops;
mod privacy;
mod registration;
mod restart;
mod scale;
mod stale;
mod team;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use stackpick::config::Config;
use stackpick::discord::app::App;
use stackpick::discord::custom_id::ComponentId;
use stackpick::discord::{self, State};
use stackpick::guide::Catalogue;
use stackpick::questionnaire::QuestionSet;
use stackpick::store::{SqliteStore, Storage};

use crate::core::builtin;
use crate::support::fake_discord::payloads::{self, Origin, MEMBER_PERMISSIONS};
use crate::support::fake_discord::{Call, FakeDiscord, HttpAnswer};

/// Upper bound for every wait.
pub const T: Duration = Duration::from_secs(10);

/// A running bot and the fake Discord it talks to.
pub struct Bot {
    pub fake: FakeDiscord,
    pub store: Arc<dyn Storage>,
    /// Holds the SQLite file, when the bot made its own, for the bot's lifetime.
    _dir: Option<tempfile::TempDir>,
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
        let mut config = test_config(&fake, "");
        adjust(&mut config);
        let dir = tempfile::tempdir().unwrap();
        let mut bot = Bot {
            fake,
            store: Arc::new(SqliteStore::open(&dir.path().join("stackpick.db")).unwrap()),
            _dir: Some(dir),
            config,
            app: None,
        };
        bot.connect().await;
        bot
    }

    /// A bot on a fake the test prepared (e.g. with a recommended shard count), with a
    /// SQLite store in a temporary folder, configured by `toml` as a config file would
    /// be (see [`config`]).
    pub async fn start_on(fake: FakeDiscord, toml: &str) -> Bot {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(SqliteStore::open(&dir.path().join("stackpick.db")).unwrap());
        Bot::start_with_parts(fake, store, Some(dir), toml).await
    }

    /// Like [`Bot::start_on`], on a store the test opened (e.g. a PostgreSQL schema).
    pub async fn start_on_store(fake: FakeDiscord, store: Arc<dyn Storage>, toml: &str) -> Bot {
        Bot::start_with_parts(fake, store, None, toml).await
    }

    async fn start_with_parts(
        fake: FakeDiscord,
        store: Arc<dyn Storage>,
        dir: Option<tempfile::TempDir>,
        toml: &str,
    ) -> Bot {
        let config = test_config(&fake, toml);
        let mut bot = Bot {
            fake,
            store,
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
        self.app = Some(launch(&self.fake, &self.config, Arc::clone(&self.store)).await);
    }

    /// Where the running bot's HTTP listener (the endpoint, or `[metrics] listen`) is.
    pub fn listen_addr(&self) -> Option<SocketAddr> {
        self.app.as_ref().and_then(|app| app.listen_addr)
    }

    /// Stops the bot as `stackpick serve` does on SIGTERM (shards closed, work in
    /// flight finished), keeping the store.
    pub async fn shutdown(&mut self) {
        if let Some(app) = self.app.take() {
            app.shutdown().await;
        }
    }

    /// Stops the bot as a crash would, keeping the store.
    pub async fn stop(&mut self) {
        if let Some(app) = self.app.take() {
            app.abort().await;
        }
    }

    /// Dispatches an interaction and returns the bot's callback to it.
    pub async fn interact(&self, interaction: Value) -> Call {
        Transport::interact(self, interaction).await
    }

    /// A slash command; returns (callback, interaction token).
    pub async fn command(&self, name: &str, options: Value, origin: &Origin) -> (Call, String) {
        Transport::command(self, name, options, origin).await
    }

    /// Clicks a component of `message`; returns (callback, interaction token).
    pub async fn click(
        &self,
        custom_id: &str,
        values: &[&str],
        message: &Value,
        origin: &Origin,
    ) -> (Call, String) {
        Transport::click(self, custom_id, values, message, origin).await
    }

    /// The message an interaction's response created or updated.
    pub fn message(&self, token: &str) -> Value {
        Transport::message(self, token)
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

impl Transport for Bot {
    fn fake(&self) -> &FakeDiscord {
        &self.fake
    }

    /// As an INTERACTION_CREATE on the gateway.
    async fn send(&self, interaction: Value) {
        self.fake
            .dispatch("INTERACTION_CREATE", interaction)
            .await
            .unwrap();
    }
}

/// How a journey's interactions reach the bot: as gateway events ([`Bot`]) or as
/// signed POSTs to its Interactions Endpoint URL ([`HttpWorker`]). The journey helpers
/// below work with either, and so see the bot's first responses the same way: as the
/// callback requests Discord got (over REST, or inline as the HTTP answer).
pub trait Transport {
    /// The fake Discord the bot talks to.
    fn fake(&self) -> &FakeDiscord;

    /// Hands an interaction to the bot (the `d` of INTERACTION_CREATE).
    async fn send(&self, interaction: Value);

    /// Sends an interaction and returns the bot's callback to it, answered within
    /// Discord's 3 s.
    async fn interact(&self, interaction: Value) -> Call {
        let token = interaction["token"].as_str().unwrap().to_owned();
        let sent = Instant::now();
        self.send(interaction).await;
        let call = self.fake().wait_for_callback(&token, T).await.unwrap();
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
    async fn command(&self, name: &str, options: Value, origin: &Origin) -> (Call, String) {
        let interaction = payloads::slash_command(name, options, origin);
        let token = interaction["token"].as_str().unwrap().to_owned();
        (self.interact(interaction).await, token)
    }

    /// Clicks a component of `message`; returns (callback, interaction token).
    async fn click(
        &self,
        custom_id: &str,
        values: &[&str],
        message: &Value,
        origin: &Origin,
    ) -> (Call, String) {
        let interaction = click_payload(custom_id, values, message, origin);
        let token = interaction["token"].as_str().unwrap().to_owned();
        (self.interact(interaction).await, token)
    }

    /// The message an interaction's response created or updated.
    fn message(&self, token: &str) -> Value {
        self.fake()
            .original_response(token)
            .expect("the interaction has a message")
    }
}

/// A click on a component of `message`: a button without `values`, else a select.
pub fn click_payload(custom_id: &str, values: &[&str], message: &Value, origin: &Origin) -> Value {
    let kind = if values.is_empty() { 2 } else { 3 };
    payloads::component_click(custom_id, kind, values, message, origin)
}

/// The configuration tests run the bot with: the TOML `text`, the fake's token, and
/// every REST call going to `fake`.
pub fn test_config(fake: &FakeDiscord, text: &str) -> Config {
    let mut config =
        Config::from_parts(Path::new("test.toml"), text, Some("fake-token".to_owned())).unwrap();
    config.proxy_url = Some(fake.proxy_url());
    config
}

/// Starts a bot process's parts as `stackpick serve` does, on `store`.
pub async fn start_app(config: &Config, store: &Arc<dyn Storage>) -> App {
    let state = State::new(config, Catalogue::builtin().clone(), Arc::clone(store)).unwrap();
    discord::app::start(config, Arc::new(state)).await.unwrap()
}

/// A bot process without a gateway, taking interactions on Discord's HTTP
/// interactions endpoint (`[gateway] enabled = false`, `[http] listen`), verifying
/// with the fake's key. Several can share one fake and one database, as workers
/// behind a load balancer do.
pub struct HttpWorker<'f> {
    pub fake: &'f FakeDiscord,
    pub store: Arc<dyn Storage>,
    /// `http://127.0.0.1:PORT`, where it listens.
    pub base: String,
    /// Runs until the worker is dropped.
    _app: App,
}

impl<'f> HttpWorker<'f> {
    /// Starts a worker on `store` (its own connections to the database), listening on
    /// a free loopback port.
    pub async fn start(fake: &'f FakeDiscord, store: Arc<dyn Storage>) -> HttpWorker<'f> {
        let config = test_config(fake, &http_worker_toml(fake, "127.0.0.1:0"));
        let app = start_app(&config, &store).await;
        let base = format!("http://{}", app.listen_addr.expect("it listens"));
        HttpWorker {
            fake,
            store,
            base,
            _app: app,
        }
    }

    /// Its Interactions Endpoint URL.
    pub fn url(&self) -> String {
        format!("{}/interactions", self.base)
    }
}

impl Transport for HttpWorker<'_> {
    fn fake(&self) -> &FakeDiscord {
        self.fake
    }

    /// As Discord POSTs to an Interactions Endpoint URL; the answer must be a 200 (the
    /// fake records it as the callback, `inline`).
    async fn send(&self, interaction: Value) {
        post_inline(self.fake, &self.url(), interaction).await;
    }
}

/// POSTs `interaction` to the Interactions Endpoint URL `url` as Discord does, and
/// checks it was answered inline with a 200.
pub async fn post_inline(fake: &FakeDiscord, url: &str, interaction: Value) -> HttpAnswer {
    let token = interaction["token"].as_str().unwrap_or_default().to_owned();
    let answer = fake.post_interaction(url, interaction).await.unwrap();
    assert_eq!(answer.status, 200, "answered inline: {answer:?}");
    let call = fake.wait_for_callback(&token, T).await.unwrap();
    assert!(call.inline, "the HTTP answer is the callback: {call:?}");
    answer
}

/// The config file of an HTTP worker listening on `listen` (top-level keys go before).
pub fn http_worker_toml(fake: &FakeDiscord, listen: &str) -> String {
    format!(
        "[gateway]\nenabled = false\n\n[http]\nlisten = \"{listen}\"\npublic_key = \"{}\"\n",
        fake.public_key_hex()
    )
}

/// GETs `url` on loopback: (status, body).
pub async fn get(url: &str) -> (u16, String) {
    let response = reqwest::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
        .get(url)
        .timeout(T)
        .send()
        .await
        .unwrap_or_else(|e| panic!("GET {url}: {e}"));
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

/// Starts one bot process's parts in the test (as `stackpick serve` does) on `store`
/// against the fake; returns once one of its shards got READY.
pub async fn launch(fake: &FakeDiscord, config: &Config, store: Arc<dyn Storage>) -> App {
    let seen = fake.ready_count();
    let app = start_app(config, &store).await;
    fake.wait_next_ready(seen, T).await.unwrap();
    app
}

/// Waits (up to [`T`]) until `condition` holds, checking every few milliseconds.
pub async fn eventually(what: &str, condition: impl Fn() -> bool) {
    let deadline = std::time::Instant::now() + T;
    while !condition() {
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// The real `stackpick serve` in a child process, with a config file in a folder of
/// the test's ([`config_file`]); killed when dropped.
pub struct Process {
    child: Child,
}

impl Process {
    /// Starts `stackpick serve` on a SQLite file in `dir`; returns once it got READY.
    pub async fn start(fake: &FakeDiscord, dir: &Path) -> Process {
        let config = config_file(fake, dir, "");
        let seen = fake.ready_count();
        let child = stackpick_command(&config, "serve")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the bot process starts");
        fake.wait_next_ready(seen, T).await.unwrap();
        Process { child }
    }

    /// Starts `stackpick serve` with `dir/config.toml` on `database` (a file path or a
    /// URL), then `extra`; doesn't wait for anything.
    pub fn spawn(fake: &FakeDiscord, dir: &Path, database: &str, extra: &str) -> Process {
        let config = config_file_on(fake, dir, database, extra);
        let child = stackpick_command(&config, "serve")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the bot process starts");
        Process { child }
    }

    /// SIGKILL: no shutdown code runs.
    pub fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// Sends the signal `name` (`TERM`, `INT`) with `kill(1)`.
    pub fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .args(["-s", name, &self.child.id().to_string()])
            .status()
            .expect("kill(1) runs");
        assert!(status.success(), "kill -s {name} failed");
    }

    /// Whether the process has exited (without waiting).
    pub fn exited(&mut self) -> Option<std::process::ExitStatus> {
        self.child.try_wait().unwrap()
    }

    /// Waits (up to `timeout`) for the process to exit; returns its status and when
    /// it was seen gone (within a few milliseconds).
    pub async fn wait_exit(&mut self, timeout: Duration) -> (std::process::ExitStatus, Instant) {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.exited() {
                return (status, Instant::now());
            }
            assert!(
                Instant::now() < deadline,
                "the bot process did not exit within {timeout:?}"
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Writes `dir/config.toml` for a bot process: the fake as `proxy_url`, a SQLite file
/// in `dir`, warnings only, then `extra` (more keys and tables).
pub fn config_file(fake: &FakeDiscord, dir: &Path, extra: &str) -> PathBuf {
    let database = dir.join("stackpick.db").display().to_string();
    config_file_on(fake, dir, &database, extra)
}

/// Like [`config_file`], on `database` (a SQLite path or a PostgreSQL URL).
pub fn config_file_on(fake: &FakeDiscord, dir: &Path, database: &str, extra: &str) -> PathBuf {
    let path = dir.join("config.toml");
    let text = format!(
        "proxy_url = \"{}\"\ndatabase = \"{database}\"\nlog_level = \"warn\"\n{extra}",
        fake.proxy_url()
    );
    std::fs::write(&path, text).unwrap();
    path
}

/// `stackpick <command> --config <config>` with the test token, and the environment
/// cleared of what would override the file.
pub fn stackpick_command(config: &Path, command: &str) -> Command {
    let mut process = Command::new(env!("CARGO_BIN_EXE_stackpick"));
    process
        .args([command, "--config", config.to_str().unwrap()])
        .env("DISCORD_TOKEN", "fake-token")
        .env_remove("RUST_LOG")
        .env_remove("DATABASE_URL")
        .env_remove("DISCORD_PUBLIC_KEY")
        .stdin(Stdio::null());
    process
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
pub async fn deferred_answer(bot: &impl Transport, token: &str) -> Call {
    let edit = bot
        .fake()
        .wait_for_call(0, T, |c| {
            c.is("PATCH", "/webhooks/*/*/messages/@original") && c.path.contains(token)
        })
        .await
        .unwrap();
    assert_well_formed(edit.body.as_ref().unwrap());
    edit
}

/// The message a click answered, once settled: a result carries its chart, which
/// can't ride in an HTTP endpoint's inline answer, so there the click is acknowledged
/// (callback type 6) and the message edited over REST; this waits for that edit.
pub async fn settled(bot: &impl Transport, call: &Call, token: &str) -> Value {
    // 5 and 6: deferred (a slow handler on a loaded machine, or a chart to upload).
    if matches!(callback_type(call), 5 | 6) {
        deferred_answer(bot, token).await;
    }
    bot.message(token)
}

/// The options of `/recommend set:quick`.
pub fn quick() -> Value {
    json!([{ "name": "set", "type": 3, "value": "quick" }])
}

/// The `quick` set answered to Phoenix: (question, option).
pub const TO_PHOENIX: [(&str, &str); 4] = [
    ("language", "elixir"),
    ("app_type", "realtime_app"),
    ("scale", "huge"),
    ("deadline", "long_run"),
];

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

/// A member (`id`, `name`) of a fresh guild whose events go to shard `shard` of `total`.
pub fn on_shard(id: u64, name: &str, shard: u64, total: u64) -> Origin {
    let member = payloads::member(&payloads::user_with_id(id, name), MEMBER_PERMISSIONS);
    Origin::guild_on_shard(member, shard, total)
}

/// Answers the question of the `default` set shown in `message`.
pub async fn answer(
    bot: &impl Transport,
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
    bot: &impl Transport,
    set: &str,
    message: &Value,
    origin: &Origin,
    question: &str,
    options: &[&str],
) -> (Call, String) {
    let interaction = answer_payload(&builtin(set), message, origin, question, options);
    let token = interaction["token"].as_str().unwrap().to_owned();
    (bot.interact(interaction).await, token)
}

/// The click (a new interaction each time) answering `question` of `set`, shown in
/// `message`, with option ids: the option's button, or the select menu.
pub fn answer_payload(
    set: &QuestionSet,
    message: &Value,
    origin: &Origin,
    question: &str,
    options: &[&str],
) -> Value {
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
        click_payload(&select(message), &values, message, origin)
    } else {
        let label = &q.option(options[0]).unwrap().label;
        click_payload(&button(message, label), &[], message, origin)
    }
}

/// The session id and step a custom_id of ours carries.
pub fn session_of(custom_id: &str) -> (String, u32) {
    let id = ComponentId::parse(custom_id).expect("one of the bot's custom_ids");
    (id.session, id.step)
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
pub async fn assert_quiet(bot: &impl Transport, mark: usize, expected: usize) {
    tokio::time::sleep(QUIET).await;
    let calls = bot.fake().calls_since(mark);
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
