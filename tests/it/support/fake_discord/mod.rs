//! A fake Discord on 127.0.0.1 for end-to-end tests: REST under `/api/v10/...` and the
//! gateway WebSocket on the same port.
//!
//! ```ignore
//! let fake = FakeDiscord::start().await?;
//! let http = HttpBuilder::new("token").proxy(fake.proxy_url()).ratelimiter_disabled(true).build();
//! // ... ClientBuilder::new_with_http(http, intents) ..., spawn client.start()
//! fake.wait_ready(T).await?;
//! let mark = fake.mark();
//! let slash = payloads::slash_command("pick", json!([]), &Origin::dm(payloads::user("ann")));
//! fake.dispatch("INTERACTION_CREATE", slash).await?;
//! let call = fake.wait_for_call(mark, T, |c| c.is("POST", "/interactions/*/*/callback")).await?;
//! fake.assert_no_violations();
//! ```
//!
//! Every request is recorded as a [`Call`]. Request bodies are checked against Discord's
//! OpenAPI description and the documented limits it leaves out; a bad body is answered like
//! Discord would (400, code 50035) and recorded in [`FakeDiscord::violations`].
//!
//! The gateway takes several connections at once, each a shard `[id, total]`, and routes
//! like Discord: a guild's events to shard `(guild_id >> 22) % total`, DMs to shard 0
//! ([`FakeDiscord::shards`], [`payloads::guild_id_on_shard`]). For a bot behind an
//! Interactions Endpoint URL, [`FakeDiscord::post_interaction`] plays Discord's side: it
//! signs the interaction with a fixed test key ([`FakeDiscord::public_key_hex`]) and treats
//! the bot's inline answer like a REST callback, so the same helpers check both transports.
//!
//! Faults, deterministic: [`FakeDiscord::inject`] makes the Nth request of a route get a
//! 429 (route or global), a 5xx, an answer later than the client's timeout or a dropped
//! connection ([`Fault`]); on the gateway, [`FakeDiscord::close_gateway`] (sessions are
//! kept for a RESUME, which replays what was missed), [`FakeDiscord::invalidate_session`],
//! [`FakeDiscord::reject_identify`] (close 4004) and [`FakeDiscord::stop_heartbeat_acks`].

mod cdn;
mod endpoint;
mod faults;
mod gateway;
mod limits;
mod openapi;
pub mod payloads;
mod rest;

pub use cdn::Serving;
pub use endpoint::{HttpAnswer, Signed};
pub use faults::Fault;

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use axum::extract::DefaultBodyLimit;
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};
use tokio::sync::{watch, Notify};
use tokio::task::JoinHandle;

/// The fake application's id (READY, `/oauth2/applications/@me`, interaction webhooks).
pub const APPLICATION_ID: u64 = 1_000_000_000_000_000_001;
/// The bot user's id (deliberately different from [`APPLICATION_ID`] to catch mix-ups).
pub const BOT_USER_ID: u64 = 1_000_000_000_000_000_002;
/// The bot user's name.
pub const BOT_USERNAME: &str = "stackpick-fake";
/// The application owner's user id (`/oauth2/applications/@me` → `owner`).
pub const OWNER_ID: u64 = 1_000_000_000_000_000_003;
/// Heartbeat interval announced in HELLO, in milliseconds.
pub const HEARTBEAT_INTERVAL_MS: u64 = 41_250;
/// Discord drops interactions not acknowledged within 3 s.
const ACK_DEADLINE: Duration = Duration::from_secs(3);

/// One recorded REST request (and the fake's answer).
#[derive(Clone, Debug)]
pub struct Call {
    /// Position in [`FakeDiscord::calls`]; compare with [`FakeDiscord::mark`].
    pub index: usize,
    /// HTTP method, upper case (`"POST"`).
    pub method: String,
    /// Path without the `/api/v10` prefix, e.g. `/channels/123/messages`.
    pub path: String,
    /// Raw query string, if any.
    pub query: Option<String>,
    /// JSON body, or the parsed `payload_json` part of a multipart body.
    pub body: Option<Value>,
    /// Non-JSON multipart parts (attachments).
    pub files: Vec<UploadedFile>,
    /// Whether an `Authorization` header was sent.
    pub authorized: bool,
    /// Status code the fake answered.
    pub status: u16,
    /// JSON the fake answered, if any.
    pub response: Option<Value>,
    /// When the request reached the fake (for latency measurements).
    pub received: Instant,
    /// True for an interaction response the bot returned inline, as the HTTP answer to a
    /// [`FakeDiscord::post_interaction`]; it is recorded as the callback request Discord
    /// would have got (`POST /interactions/{id}/{token}/callback`, `status` 204 when
    /// accepted) though no REST request was made.
    pub inline: bool,
}

impl Call {
    /// True if the method matches and `pattern` matches the path segment by segment, where
    /// `*` matches any one segment: `call.is("POST", "/channels/*/messages")`.
    pub fn is(&self, method: &str, pattern: &str) -> bool {
        let (mut path, mut pat) = (self.path.split('/'), pattern.split('/'));
        self.method.eq_ignore_ascii_case(method)
            && loop {
                match (path.next(), pat.next()) {
                    (None, None) => break true,
                    (Some(s), Some(p)) if p == "*" || p == s => {}
                    _ => break false,
                }
            }
    }

    /// `body[key]` as a string, or `""`.
    pub fn body_str(&self, key: &str) -> &str {
        self.body
            .as_ref()
            .and_then(|b| b[key].as_str())
            .unwrap_or_default()
    }
}

/// A file part of a multipart request.
#[derive(Clone, Debug)]
pub struct UploadedFile {
    /// Form field name (serenity uses `files[0]`, ...).
    pub field: String,
    /// `filename` from `Content-Disposition`.
    pub filename: Option<String>,
    /// The part's bytes.
    pub bytes: Vec<u8>,
}

/// An interaction sent to the bot (gateway or HTTP), tracked to enforce Discord's response
/// protocol.
#[derive(Debug)]
struct Pending {
    id: u64,
    kind: u64,
    channel_id: u64,
    /// The message a component interaction was on.
    message: Option<Value>,
    dispatched: Instant,
    /// Callback type once acknowledged.
    acked: Option<u64>,
    /// Message id behind `@original`.
    original: Option<u64>,
    followups: Vec<u64>,
    /// Index in [`State::calls`] of the first callback request for it.
    callback: Option<usize>,
    /// Signalled when that callback arrives (one waiter; a permit is kept if none waits).
    answered: Arc<Notify>,
    /// Index in [`State::calls`] of the first `PATCH` of its `@original` message.
    edited: Option<usize>,
    /// Signalled when that edit arrives (like `answered`).
    edit_seen: Arc<Notify>,
}

impl Pending {
    /// An interaction (the `d` of INTERACTION_CREATE) just sent.
    fn new(data: &Value) -> Self {
        Self {
            id: payloads::id_of(data).unwrap_or_default(),
            kind: data["type"].as_u64().unwrap_or_default(),
            channel_id: payloads::snowflake(&data["channel_id"]).unwrap_or_default(),
            message: data.get("message").cloned(),
            dispatched: Instant::now(),
            acked: None,
            original: None,
            followups: Vec::new(),
            callback: None,
            answered: Arc::default(),
            edited: None,
            edit_seen: Arc::default(),
        }
    }
}

/// The messages the bot created, oldest first, with an index by id: clicks and
/// `@original` look messages up by id on every interaction.
#[derive(Default)]
struct Messages {
    list: Vec<Value>,
    by_id: HashMap<u64, usize>,
}

impl Messages {
    fn push(&mut self, message: Value) {
        if let Some(id) = payloads::id_of(&message) {
            self.by_id.insert(id, self.list.len());
        }
        self.list.push(message);
    }

    fn get(&self, id: u64) -> Option<&Value> {
        self.by_id.get(&id).map(|&i| &self.list[i])
    }

    fn get_mut(&mut self, id: u64) -> Option<&mut Value> {
        self.by_id.get(&id).map(|&i| &mut self.list[i])
    }

    fn contains(&self, id: u64) -> bool {
        self.by_id.contains_key(&id)
    }

    /// Removes a message (rare: re-indexes the ones after it).
    fn remove(&mut self, id: u64) -> Option<Value> {
        let at = self.by_id.remove(&id)?;
        for i in self.by_id.values_mut() {
            if *i > at {
                *i -= 1;
            }
        }
        Some(self.list.remove(at))
    }
}

/// Everything the fake remembers; one lock, never held across an `.await`.
#[derive(Default)]
struct State {
    calls: Vec<Call>,
    violations: Vec<String>,
    closed_dms: HashSet<u64>,
    /// Registered commands by guild (`None` = global).
    commands: HashMap<Option<u64>, Vec<Value>>,
    /// Dispatched interactions by token.
    interactions: HashMap<String, Pending>,
    /// Messages the bot created, in their current state.
    messages: Messages,
    /// Users seen in dispatched payloads, so DM channels can name their recipient.
    users: HashMap<u64, Value>,
    gateway: gateway::Registry,
    /// Interaction callbacks that arrived while [`FakeDiscord::delay_callbacks`] held them.
    delayed_callbacks: usize,
    /// Armed REST faults ([`FakeDiscord::inject`]).
    faults: Vec<faults::Rule>,
    /// Messages created with `enforce_nonce`, by (channel, nonce): a repeat returns the
    /// first message instead of creating another, as Discord does.
    nonces: HashMap<(u64, String), u64>,
    /// The bytes of every file the bot uploaded, by attachment id.
    uploads: HashMap<u64, Vec<u8>>,
}

impl State {
    /// Remembers what the bot is sent: the users in it (so DM channels can name their
    /// recipient) and, for an interaction, what enforcing the response protocol needs.
    fn sent(&mut self, data: &Value, interaction: bool) {
        for user in [&data["user"], &data["member"]["user"], &data["author"]] {
            if let Some(id) = payloads::id_of(user) {
                self.users.insert(id, user.clone());
            }
        }
        if interaction {
            let token = data["token"].as_str().unwrap_or_default().to_owned();
            self.interactions.insert(token, Pending::new(data));
        }
    }
}

/// State shared by the server tasks and the test's handle.
struct Shared {
    addr: SocketAddr,
    validate: AtomicBool,
    /// `shards` of `GET /gateway/bot`.
    recommended_shards: AtomicU64,
    /// How long interaction callbacks are held before being answered, in milliseconds.
    callback_delay_ms: AtomicU64,
    state: Mutex<State>,
    /// Bumped on every change so waiters wake up without polling.
    changed: watch::Sender<u64>,
    /// Files served at `/attachments/{id}/{name}`, like Discord's CDN, and how.
    attachments: Mutex<HashMap<String, (Vec<u8>, cdn::Serving)>>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A panicking test thread must not hide the fake's records from the others.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn violation(&self, why: String) {
        self.lock().violations.push(why);
    }

    /// Waits (up to `timeout`) until the interaction with `token`, if there is one,
    /// has been acknowledged. A bot answering over HTTP sends its follow-ups and edits
    /// only once its inline answer is out, so Discord has that answer first; the fake
    /// records an inline answer only after its client has read it, and this restores
    /// Discord's order. A webhook call that truly comes first is still refused.
    async fn wait_acknowledged(&self, token: &str, timeout: Duration) {
        let deadline = tokio::time::Instant::now() + timeout;
        let mut changes = self.changed.subscribe();
        loop {
            changes.borrow_and_update();
            let pending = self
                .lock()
                .interactions
                .get(token)
                .is_some_and(|p| p.acked.is_none());
            if !pending {
                return;
            }
            match tokio::time::timeout_at(deadline, changes.changed()).await {
                Ok(Ok(())) => {}
                Ok(Err(_)) | Err(_) => return,
            }
        }
    }

    fn bump(&self) {
        self.changed.send_modify(|n| *n += 1);
    }

    fn ws_url(&self) -> String {
        format!("ws://{}/gateway", self.addr)
    }
}

/// A running fake Discord; the server stops and gateway connections close on drop.
pub struct FakeDiscord {
    shared: Arc<Shared>,
    server: JoinHandle<()>,
    /// Client for the bot's Interactions Endpoint URL.
    http: reqwest::Client,
}

impl FakeDiscord {
    /// Binds 127.0.0.1 on a free port and starts serving REST and the gateway.
    pub async fn start() -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let shared = Arc::new(Shared {
            addr: listener.local_addr()?,
            validate: AtomicBool::new(true),
            recommended_shards: AtomicU64::new(1),
            callback_delay_ms: AtomicU64::new(0),
            state: Mutex::default(),
            changed: watch::channel(0).0,
            attachments: Mutex::default(),
        });
        let app = Router::new()
            // serenity connects to `<url from /gateway>?v=10`; accept the bare root too.
            .route("/", get(gateway::upgrade))
            .route("/gateway", get(gateway::upgrade))
            .route("/attachments/:id/:name", get(cdn::serve))
            .fallback(rest::handle)
            .layer(DefaultBodyLimit::max(32 << 20))
            .with_state(Arc::clone(&shared));
        // If the listener dies, the test times out with a clear message.
        let server = tokio::spawn(faults::serve(listener, app));
        let http = endpoint::client().map_err(std::io::Error::other)?;
        Ok(Self {
            shared,
            server,
            http,
        })
    }

    /// `http://127.0.0.1:PORT`, for `HttpBuilder::proxy`.
    pub fn proxy_url(&self) -> String {
        format!("http://{}", self.shared.addr)
    }

    /// The gateway URL handed out by `GET /gateway` (`ws://127.0.0.1:PORT/gateway`).
    pub fn gateway_url(&self) -> String {
        self.shared.ws_url()
    }

    /// Turns validation on (default) or off (for load benchmarks): request bodies against
    /// the OpenAPI description and limits, and [`Self::dispatch`]ed events against
    /// serenity's model.
    pub fn set_validation(&self, on: bool) {
        self.shared.validate.store(on, Ordering::Relaxed);
    }

    /// Hosts a file as Discord's CDN would and returns its attachment object, for
    /// commands with an attachment option (see [`payloads::with_attachment`]).
    pub fn host_attachment(&self, filename: &str, bytes: &[u8]) -> Value {
        self.host_attachment_served(filename, bytes, Serving::Plain)
    }

    /// Like [`Self::host_attachment`], but downloading it hangs (for a minute, then
    /// 404), so a test can stop the bot in the middle of an upload.
    pub fn host_stalled_attachment(&self, filename: &str, bytes: &[u8]) -> Value {
        self.host_attachment_served(filename, bytes, Serving::Stalled)
    }

    /// Hosts a file served as `serving` says; its attachment object claims the file's
    /// real size (a test may change `size` to make it lie).
    pub fn host_attachment_served(&self, filename: &str, bytes: &[u8], serving: Serving) -> Value {
        let id = payloads::new_id();
        let key = format!("{id}/{filename}");
        self.shared
            .attachments
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(key.clone(), (bytes.to_vec(), serving));
        let url = format!("http://{}/attachments/{key}", self.shared.addr);
        json!({
            "id": id.to_string(), "filename": filename, "size": bytes.len(),
            "url": url, "proxy_url": url, "content_type": "application/toml; charset=utf-8",
        })
    }

    /// The shard count `GET /gateway/bot` recommends (default 1).
    pub fn set_recommended_shards(&self, shards: u64) {
        self.shared
            .recommended_shards
            .store(shards, Ordering::Relaxed);
    }

    /// From now on, interaction callbacks (`POST /interactions/{id}/{token}/callback`) are
    /// answered only `delay` after they arrive (a slow Discord), so a test can act while
    /// the bot waits for one ([`Self::wait_for_delayed_callbacks`]). Such a call is recorded
    /// once answered, with [`Call::received`] the time it arrived; if the bot hangs up
    /// meanwhile, it is not recorded at all. `Duration::ZERO` turns it off.
    pub fn delay_callbacks(&self, delay: Duration) {
        let millis = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX);
        self.shared
            .callback_delay_ms
            .store(millis, Ordering::Relaxed);
    }

    /// Waits until `count` callbacks held by [`Self::delay_callbacks`] have arrived
    /// (answered or not).
    pub async fn wait_for_delayed_callbacks(
        &self,
        count: usize,
        timeout: Duration,
    ) -> Result<(), String> {
        let what = format!("{count} delayed callback(s) to arrive");
        self.wait_until(timeout, &what, |st| {
            (st.delayed_callbacks >= count).then_some(())
        })
        .await
    }

    /// Arms a fault: the `nth` (1-based) request matching `method` and `pattern` (as in
    /// [`Call::is`], e.g. `"/channels/*/messages"`) counted from now, and the `times - 1`
    /// matching ones after it, get `fault`. Faulted requests are recorded as calls with
    /// the status they got (`0` for a connection dropped without an answer).
    pub fn inject(&self, method: &str, pattern: &str, nth: usize, times: usize, fault: Fault) {
        let rule = faults::Rule::new(method, pattern, nth, times, fault);
        self.shared.lock().faults.push(rule);
    }

    /// From now on, messages to this user's DM channel fail with 403 / code 50007.
    pub fn close_dms_for(&self, user_id: u64) {
        self.shared.lock().closed_dms.insert(user_id);
    }

    /// All recorded REST calls.
    pub fn calls(&self) -> Vec<Call> {
        self.shared.lock().calls.clone()
    }

    /// Recorded REST calls from index `mark` on.
    pub fn calls_since(&self, mark: usize) -> Vec<Call> {
        self.shared
            .lock()
            .calls
            .get(mark..)
            .unwrap_or_default()
            .to_vec()
    }

    /// The number of calls so far: pass it to [`Self::wait_for_call`] / [`Self::calls_since`].
    pub fn mark(&self) -> usize {
        self.shared.lock().calls.len()
    }

    /// The first call with index ≥ `since` matching `predicate`, waiting up to `timeout`.
    pub async fn wait_for_call(
        &self,
        since: usize,
        timeout: Duration,
        predicate: impl Fn(&Call) -> bool,
    ) -> Result<Call, String> {
        self.wait_until(timeout, "a matching REST call", |st| {
            st.calls
                .get(since..)?
                .iter()
                .find(|c| predicate(c))
                .cloned()
        })
        .await
    }

    /// Forgets the recorded calls, dispatched interactions and messages (not the
    /// violations, commands or gateway connections), so a long load benchmark doesn't
    /// keep every one. Only while nothing is in flight: an answer to an interaction
    /// sent before is then a violation. Used by the load benchmark, not the tests.
    #[allow(dead_code)]
    pub fn clear_records(&self) {
        let mut st = self.shared.lock();
        st.calls.clear();
        st.interactions.clear();
        st.messages = Messages::default();
    }

    /// Protocol and validation violations so far (`"POST /api/v10/...: reason"`).
    pub fn violations(&self) -> Vec<String> {
        self.shared.lock().violations.clone()
    }

    /// Returns and clears the violations (for tests that provoke some on purpose).
    pub fn take_violations(&self) -> Vec<String> {
        std::mem::take(&mut self.shared.lock().violations)
    }

    /// Panics with the list of violations, if any.
    #[track_caller]
    pub fn assert_no_violations(&self) {
        let v = self.violations();
        assert!(
            v.is_empty(),
            "fake Discord saw {} violation(s):\n{}",
            v.len(),
            v.join("\n")
        );
    }

    /// The `d` of every IDENTIFY received, oldest first.
    pub fn identifies(&self) -> Vec<Value> {
        self.shared.lock().gateway.identifies.clone()
    }

    /// The `d` of every RESUME the fake accepted, oldest first.
    pub fn resumes(&self) -> Vec<Value> {
        self.shared.lock().gateway.resumes.clone()
    }

    /// Closes the gateway connection DMs go to (shard 0) with `code`, as Discord does:
    /// it receives nothing more; dispatches sent meanwhile wait in its session for a
    /// RESUME, unless `code` ends the session (4004, 4007, 4009 to 4014).
    pub fn close_gateway(&self, code: u16) -> Result<(), String> {
        self.shared.lock().gateway.close_with(code)
    }

    /// Sends INVALID_SESSION (op 9, `d = resumable`) on the connection DMs go to.
    pub fn invalidate_session(&self, resumable: bool) -> Result<(), String> {
        self.shared.lock().gateway.invalidate(resumable)
    }

    /// The open gateway connections stop acknowledging heartbeats (new ones still do).
    pub fn stop_heartbeat_acks(&self) {
        self.shared.lock().gateway.stop_acks();
    }

    /// From now on every IDENTIFY is closed with 4004 "Authentication failed." (a token
    /// Discord rejects).
    pub fn reject_identify(&self) {
        self.shared.lock().gateway.reject_identify(true);
    }

    /// HELLO's heartbeat interval for connections opened from now on (default
    /// [`HEARTBEAT_INTERVAL_MS`]).
    pub fn set_heartbeat_interval(&self, interval: Duration) {
        let ms = u64::try_from(interval.as_millis())
            .unwrap_or(u64::MAX)
            .max(1);
        self.shared.lock().gateway.set_heartbeat_ms(ms);
    }

    /// How many READYs were sent so far.
    pub fn ready_count(&self) -> usize {
        self.shared.lock().gateway.readies
    }

    /// Waits until a gateway client is identified and got READY; returns its IDENTIFY `d`.
    pub async fn wait_ready(&self, timeout: Duration) -> Result<Value, String> {
        self.wait_next_ready(0, timeout).await
    }

    /// Waits until a READY numbered above `seen` (see [`Self::ready_count`]) went to a
    /// connection that is still open (a restarted bot); returns the IDENTIFY `d` of the
    /// newest such connection.
    pub async fn wait_next_ready(&self, seen: usize, timeout: Duration) -> Result<Value, String> {
        self.wait_until(timeout, "a gateway READY", |st| {
            st.gateway.newest_ready(seen, None)
        })
        .await
    }

    /// Like [`Self::wait_next_ready`], for the connection identified as `[shard_id,
    /// num_shards]` (a restarted shard process).
    pub async fn wait_next_shard_ready(
        &self,
        shard: [u64; 2],
        seen: usize,
        timeout: Duration,
    ) -> Result<Value, String> {
        let what = format!("a READY on shard {shard:?}");
        self.wait_until(timeout, &what, |st| {
            st.gateway.newest_ready(seen, Some(shard))
        })
        .await
    }

    /// The `[shard_id, num_shards]` of every open identified gateway connection, sorted
    /// (`[0, 1]` for a client that does not shard).
    pub fn shards(&self) -> Vec<[u64; 2]> {
        self.shared.lock().gateway.shards()
    }

    /// Waits until shards `ids` of `total` are all connected and got READY; returns their
    /// IDENTIFY `d`s in the order of `ids`.
    pub async fn wait_for_shards(
        &self,
        ids: &[u64],
        total: u64,
        timeout: Duration,
    ) -> Result<Vec<Value>, String> {
        let what = format!("shards {ids:?} of {total}");
        self.wait_until(timeout, &what, |st| {
            ids.iter()
                .map(|&id| st.gateway.newest_ready(0, Some([id, total])))
                .collect()
        })
        .await
    }

    /// Sends a dispatch (op 0, next `s`) where Discord would: to the connection of the
    /// shard `(guild_id >> 22) % total` for an event of a guild (its `guild_id`, or `id`
    /// for GUILD_CREATE/UPDATE/DELETE), otherwise (DMs) to shard 0; the most recently
    /// identified one if several connections are that shard.
    ///
    /// Fails if no such connection is open or if serenity 0.12.5 could not parse the event
    /// (it would silently drop it, and the test would only time out).
    pub async fn dispatch(&self, event: &str, data: Value) -> Result<(), String> {
        let mut event_json = json!({ "t": event, "d": Value::Null });
        event_json["d"] = data;
        self.check_parses::<serenity::model::event::Event>(event, &event_json)?;
        let data = event_json["d"].take();
        let mut st = self.shared.lock();
        st.sent(&data, event == "INTERACTION_CREATE");
        st.gateway.dispatch(event, data)
    }

    /// With validation on, fails unless serenity 0.12.5 parses `value` as a `T`.
    fn check_parses<T: serde::de::DeserializeOwned>(
        &self,
        what: &str,
        value: &Value,
    ) -> Result<(), String> {
        if !self.shared.validate.load(Ordering::Relaxed) {
            return Ok(());
        }
        T::deserialize(value)
            .map(drop)
            .map_err(|e| format!("serenity cannot parse this {what}: {e}"))
    }

    /// The Ed25519 public key (64 hex digits) the fake signs HTTP interactions with: the
    /// bot's `public_key` / `DISCORD_PUBLIC_KEY` (also the application's `verify_key`).
    pub fn public_key_hex(&self) -> String {
        endpoint::public_key_hex()
    }

    /// POSTs `interaction` (the same JSON as INTERACTION_CREATE's `d`, e.g.
    /// [`payloads::slash_command`], or [`payloads::ping`]) to the bot's Interactions
    /// Endpoint URL `url` as Discord does: signed, with `X-Signature-Ed25519`,
    /// `X-Signature-Timestamp` and `Content-Type: application/json`.
    ///
    /// A PING must be answered `{"type":1}`. For other interactions, a 200 answer is
    /// handled exactly like the REST callback: recorded as a [`Call`] (with
    /// [`Call::inline`]) for `POST /interactions/{id}/{token}/callback`, validated, held
    /// to the 3 s deadline, and the interaction counts as acknowledged for follow-ups. Any
    /// other answer is a violation (Discord shows "This interaction failed"). Fails if
    /// serenity cannot parse the interaction or the request itself fails.
    pub async fn post_interaction(
        &self,
        url: &str,
        interaction: Value,
    ) -> Result<HttpAnswer, String> {
        let signed = self.sign_interaction(interaction)?;
        self.post_signed(url, signed).await
    }

    /// `interaction` checked, serialised and signed now, to be sent later with
    /// [`Self::post_signed`] (within Discord's five minutes): the load benchmark prepares
    /// its requests this way so that its measured runs only send them.
    pub fn sign_interaction(&self, interaction: Value) -> Result<Signed, String> {
        self.check_parses::<serenity::model::application::Interaction>(
            "interaction",
            &interaction,
        )?;
        endpoint::sign_interaction(interaction)
    }

    /// Sends an interaction prepared by [`Self::sign_interaction`], handled as
    /// [`Self::post_interaction`] describes.
    pub async fn post_signed(&self, url: &str, signed: Signed) -> Result<HttpAnswer, String> {
        endpoint::post_interaction(&self.shared, &self.http, url, signed).await
    }

    /// Sends `body` as-is to `url` with `method`, signed like [`Self::post_interaction`]
    /// (for bad bodies, methods and signatures): the signature headers and `Content-Type:
    /// application/json` are added, then `headers` replace those of the same name (an
    /// empty value removes the header). Nothing is recorded.
    pub async fn post_signed_raw(
        &self,
        url: &str,
        method: &str,
        body: Vec<u8>,
        headers: &[(&str, &str)],
    ) -> Result<HttpAnswer, String> {
        endpoint::send_signed(&self.http, url, method, body, headers).await
    }

    /// Commands as last registered (`None` = global), as the fake echoed them.
    pub fn commands(&self, guild_id: Option<u64>) -> Vec<Value> {
        self.shared
            .lock()
            .commands
            .get(&guild_id)
            .cloned()
            .unwrap_or_default()
    }

    /// How many times the commands of `guild_id` (`None` = global) were replaced with a
    /// successful `PUT`.
    pub fn put_count(&self, guild_id: Option<u64>) -> usize {
        let path = match guild_id {
            Some(g) => format!("/applications/{APPLICATION_ID}/guilds/{g}/commands"),
            None => format!("/applications/{APPLICATION_ID}/commands"),
        };
        let st = self.shared.lock();
        let puts = st
            .calls
            .iter()
            .filter(|c| c.method == "PUT" && c.path == path);
        puts.filter(|c| c.status == 200).count()
    }

    /// Messages the bot created (channel messages, interaction responses, follow-ups), in
    /// their current (edited) state, oldest first.
    pub fn messages(&self) -> Vec<Value> {
        self.shared.lock().messages.list.clone()
    }

    /// The bytes the bot uploaded for an attachment of one of its messages (an element
    /// of a message's `attachments`), if it is one.
    pub fn uploaded(&self, attachment: &Value) -> Option<Vec<u8>> {
        let id = payloads::id_of(attachment)?;
        self.shared.lock().uploads.get(&id).cloned()
    }

    /// The current `@original` response message of an interaction, once it has one.
    pub fn original_response(&self, interaction_token: &str) -> Option<Value> {
        let st = self.shared.lock();
        let id = st.interactions.get(interaction_token)?.original?;
        st.messages.get(id).cloned()
    }

    /// The first callback (`POST /interactions/{id}/{token}/callback`) of the interaction
    /// dispatched with this token, waiting up to `timeout`. Cheaper than
    /// [`Self::wait_for_call`]: nothing is scanned, and only this waiter is woken.
    pub async fn wait_for_callback(
        &self,
        interaction_token: &str,
        timeout: Duration,
    ) -> Result<Call, String> {
        self.wait_for_own(
            interaction_token,
            timeout,
            "the interaction's callback",
            |p| (&p.answered, p.callback),
        )
        .await
    }

    /// The first edit (`PATCH /webhooks/{app}/{token}/messages/@original`) of the
    /// original response of the interaction dispatched with this token, waiting up to
    /// `timeout`; like [`Self::wait_for_callback`], nothing is scanned.
    #[allow(dead_code)]
    pub async fn wait_for_original_edit(
        &self,
        interaction_token: &str,
        timeout: Duration,
    ) -> Result<Call, String> {
        self.wait_for_own(interaction_token, timeout, "the edit of @original", |p| {
            (&p.edit_seen, p.edited)
        })
        .await
    }

    /// Waits for the call that `which` tracks for one interaction (its notifier and the
    /// call's index once recorded).
    async fn wait_for_own(
        &self,
        interaction_token: &str,
        timeout: Duration,
        what: &str,
        which: impl Fn(&Pending) -> (&Arc<Notify>, Option<usize>),
    ) -> Result<Call, String> {
        self.wait_for_own_with(interaction_token, timeout, what, which, Call::clone)
            .await
    }

    /// [`Self::wait_for_callback`], returning only what `read` takes from the call (the
    /// load benchmark's driver checks the answer's status and type without copying
    /// the whole body).
    #[allow(dead_code)]
    pub async fn wait_for_callback_with<R>(
        &self,
        interaction_token: &str,
        timeout: Duration,
        read: impl Fn(&Call) -> R,
    ) -> Result<R, String> {
        self.wait_for_own_with(
            interaction_token,
            timeout,
            "the interaction's callback",
            |p| (&p.answered, p.callback),
            read,
        )
        .await
    }

    async fn wait_for_own_with<R>(
        &self,
        interaction_token: &str,
        timeout: Duration,
        what: &str,
        which: impl Fn(&Pending) -> (&Arc<Notify>, Option<usize>),
        read: impl Fn(&Call) -> R,
    ) -> Result<R, String> {
        let deadline = tokio::time::Instant::now() + timeout;
        let notify = match self.shared.lock().interactions.get(interaction_token) {
            Some(p) => Arc::clone(which(p).0),
            None => {
                return Err(format!(
                    "no interaction was dispatched with token {interaction_token}"
                ))
            }
        };
        loop {
            {
                let st = self.shared.lock();
                let index = st
                    .interactions
                    .get(interaction_token)
                    .and_then(|p| which(p).1);
                if let Some(call) = index.and_then(|i| st.calls.get(i)) {
                    return Ok(read(call));
                }
            }
            // `notify_one` keeps a permit, so a call recorded since the check wakes us.
            if tokio::time::timeout_at(deadline, notify.notified())
                .await
                .is_err()
            {
                return Err(self.timeout_report(timeout, what));
            }
        }
    }

    /// Polls `check` on every state change until it yields a value or `timeout` passes.
    async fn wait_until<T>(
        &self,
        timeout: Duration,
        what: &str,
        mut check: impl FnMut(&State) -> Option<T>,
    ) -> Result<T, String> {
        let deadline = tokio::time::Instant::now() + timeout;
        let mut changes = self.shared.changed.subscribe();
        loop {
            changes.borrow_and_update();
            if let Some(found) = check(&self.shared.lock()) {
                return Ok(found);
            }
            match tokio::time::timeout_at(deadline, changes.changed()).await {
                Ok(Ok(())) => {}
                Ok(Err(_)) | Err(_) => return Err(self.timeout_report(timeout, what)),
            }
        }
    }

    fn timeout_report(&self, timeout: Duration, what: &str) -> String {
        let st = self.shared.lock();
        let mut report = format!(
            "timed out after {timeout:?} waiting for {what}; {} READY(s), open shards {:?}; \
             calls:",
            st.gateway.readies,
            st.gateway.shards()
        );
        for c in st.calls.iter().rev().take(20).rev() {
            let _ = write!(
                report,
                "\n  #{} {} {} -> {}",
                c.index, c.method, c.path, c.status
            );
        }
        for v in &st.violations {
            let _ = write!(report, "\n  violation: {v}");
        }
        report
    }
}

impl Drop for FakeDiscord {
    fn drop(&mut self) {
        self.server.abort();
        // Dropping the senders makes every open gateway connection close its socket.
        self.shared.lock().gateway = gateway::Registry::default();
    }
}
