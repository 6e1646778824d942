//! Storage: conversations in progress, per-server settings and question sets (every
//! version kept), and completed recommendations. Behind narrow async traits with two
//! backends: SQLite (the embedded default) and PostgreSQL (many processes, one bot).
//!
//! Every method is `async` and no implementation blocks a runtime thread: SQLite runs
//! on threads that own its connections, PostgreSQL through an async driver.

pub mod postgres;
mod privacy;
pub mod sqlite;

use std::sync::Arc;

use anyhow::Context as _;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};

pub use postgres::PostgresStore;
pub use privacy::{Clock, PrivacyStore, Removed, SystemClock};
pub use sqlite::{SqliteStore, SCHEMA_VERSION};

use crate::config::Database;

use crate::conversation::Conversation;
use crate::engine::team::TeamResult;
use crate::engine::Recommendation;
use crate::ids::SetId;
use crate::questionnaire::Answers;

/// A conversation with its owner and where it happens. Ids are plain numbers so the
/// store knows nothing of Discord's types.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// Short unique id, carried in component custom_ids.
    pub id: String,
    /// The only user who may drive it.
    pub user_id: u64,
    /// The server it was started in, if any.
    pub guild_id: Option<u64>,
    /// The DM channel, when it happens in a DM (typed replies are accepted there).
    pub dm_channel_id: Option<u64>,
    /// Bumped on every change; components carry it so stale clicks are recognised.
    pub step: u32,
    /// The state machine.
    pub conversation: Conversation,
    /// Last change, in milliseconds since the Unix epoch.
    pub updated_at_ms: u64,
    /// An admin previewing a set: the result also shows the criterion weights, and
    /// nothing is recorded in the history.
    #[serde(default)]
    pub preview: bool,
    /// For a server's own set, the stored version the conversation runs on (it keeps
    /// running on it even if the set is replaced meanwhile); `None` for built-in sets.
    #[serde(default)]
    pub set_revision: Option<u32>,
    /// The stored result once finished; changing an answer updates it in place.
    #[serde(default)]
    pub result_id: Option<i64>,
    /// The team lobby this conversation answers for, if any: once finished, its
    /// answers are recorded there instead of as a result of its own.
    #[serde(default)]
    pub lobby: Option<String>,
}

impl Session {
    /// Whether the conversation is waiting for an answer (to a question, or to answers
    /// that contradict each other).
    pub fn is_asking(&self) -> bool {
        self.conversation.is_waiting()
    }
}

/// Where conversations in progress are kept.
#[async_trait]
pub trait SessionStore: Send + Sync {
    /// The session with this id.
    async fn get(&self, id: &str) -> anyhow::Result<Option<Session>>;
    /// Inserts or replaces a session; durable when it returns.
    async fn put(&self, session: &Session) -> anyhow::Result<()>;
    /// Replaces a session only if its stored step is still `expected_step`, so two
    /// simultaneous clicks can't both apply; returns whether it was replaced.
    async fn replace(&self, session: &Session, expected_step: u32) -> anyhow::Result<bool>;
    /// The user's most recent DM session that is still asking questions.
    async fn open_dm(&self, user_id: u64) -> anyhow::Result<Option<Session>>;
    /// Deletes a session.
    async fn remove(&self, id: &str) -> anyhow::Result<()>;
    /// Deletes sessions untouched since before `cutoff_ms`; returns how many.
    async fn purge_idle(&self, cutoff_ms: u64) -> anyhow::Result<usize>;
    /// How many conversations are waiting for an answer (for the metrics).
    async fn count_open(&self) -> anyhow::Result<u64>;
}

/// A server's choices.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GuildSettings {
    /// The set `/recommend` uses when none is named; `None` = the built-in default.
    pub active_set: Option<SetId>,
    /// Where completed recommendations are logged; `None` = not logged.
    pub log_channel_id: Option<u64>,
    /// Whether `/recommend` results are public by default.
    pub results_public: bool,
}

/// A change to a server's settings; `None` leaves a setting as it is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SettingsChange {
    /// `Some(Some(channel))` logs there, `Some(None)` stops logging.
    pub log_channel_id: Option<Option<u64>>,
    /// Whether results are public.
    pub results_public: Option<bool>,
}

/// One stored version of a server's question set. A removal is stored as a version
/// without source, so nothing is ever lost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSet {
    /// The set's id.
    pub set_id: SetId,
    /// 1, 2, 3… per (server, set).
    pub revision: u32,
    /// The TOML as uploaded; `None` marks a removal.
    pub source: Option<String>,
    /// Who made the change.
    pub changed_by: u64,
    /// When, in milliseconds since the Unix epoch.
    pub changed_at_ms: u64,
}

/// Per-server settings and question sets.
#[async_trait]
pub trait GuildStore: Send + Sync {
    /// The server's settings (defaults when none were saved).
    async fn settings(&self, guild_id: u64) -> anyhow::Result<GuildSettings>;
    /// Changes the server's logging and visibility settings in one write, leaving
    /// what `change` doesn't mention (and the active set) as it is.
    async fn update_settings(&self, guild_id: u64, change: &SettingsChange) -> anyhow::Result<()>;
    /// Stores a new version of a set (`None` source = removal) and returns its
    /// revision. In the same transaction, `activate` makes it the server's set, and a
    /// removal of the active set resets the server to the default.
    async fn add_set_version(
        &self,
        guild_id: u64,
        set_id: &SetId,
        source: Option<&str>,
        by: u64,
        activate: bool,
    ) -> anyhow::Result<u32>;
    /// Chooses the server's set (`None` = the built-in default), in one write.
    async fn set_active(&self, guild_id: u64, set_id: Option<&SetId>) -> anyhow::Result<()>;
    /// The latest version of every set of the server that is not removed.
    async fn current_sets(&self, guild_id: u64) -> anyhow::Result<Vec<StoredSet>>;
    /// Every version of one set, oldest first.
    async fn set_versions(&self, guild_id: u64, set_id: &SetId) -> anyhow::Result<Vec<StoredSet>>;
    /// Keeps an upload until an admin confirms replacing a set.
    async fn put_pending(&self, upload: &PendingUpload) -> anyhow::Result<()>;
    /// Removes and returns a pending upload (so a double click can't apply it twice).
    async fn take_pending(&self, id: &str) -> anyhow::Result<Option<PendingUpload>>;
    /// Drops uploads never confirmed since before `cutoff_ms`; returns how many.
    async fn purge_pending(&self, cutoff_ms: u64) -> anyhow::Result<usize>;
}

/// An upload that would replace an existing set, waiting for confirmation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingUpload {
    /// Short id carried by the confirmation buttons.
    pub id: String,
    /// The server.
    pub guild_id: u64,
    /// The admin who uploaded it (the only one who may confirm).
    pub user_id: u64,
    /// The set it replaces.
    pub set_id: SetId,
    /// The validated TOML.
    pub source: String,
    /// Whether to make it the server's set once stored.
    pub activate: bool,
}

/// A completed recommendation, with what is needed to show it again exactly.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredResult {
    /// Row id (0 before it is stored).
    pub id: i64,
    /// Who asked.
    pub user_id: u64,
    /// Where, if in a server.
    pub guild_id: Option<u64>,
    /// The question set used.
    pub set_id: SetId,
    /// Its version.
    pub set_version: u32,
    /// Its title at the time.
    pub set_title: String,
    /// The answers given.
    pub answers: Answers,
    /// The full result (carries the guide version).
    pub recommendation: Recommendation,
    /// When, in milliseconds since the Unix epoch.
    pub created_at_ms: u64,
}

/// Completed recommendations.
#[async_trait]
pub trait HistoryStore: Send + Sync {
    /// Stores a new result and, in the same transaction, records its id in the
    /// session it finished (`session.result_id`); returns the id.
    async fn add_result(&self, result: &StoredResult, session: &mut Session)
        -> anyhow::Result<i64>;
    /// The answer that finished a questionnaire, stored in one transaction with its
    /// result: the session replaces the stored one only if that is still at
    /// `expected_step` (as [`SessionStore::replace`]), with the new result's id in
    /// `session.result_id`. `None`, storing nothing, when another input moved the
    /// session first. Returns the result's id and the server's settings as of that
    /// transaction (who should hear of the result); defaults outside a server.
    async fn finish(
        &self,
        session: &mut Session,
        expected_step: u32,
        result: &StoredResult,
    ) -> anyhow::Result<Option<(i64, GuildSettings)>>;
    /// Replaces a stored result (an answer was changed from the result screen).
    async fn update_result(&self, id: i64, result: &StoredResult) -> anyhow::Result<()>;
    /// The user's most recent results, newest first.
    async fn recent_results(&self, user_id: u64, limit: usize)
        -> anyhow::Result<Vec<StoredResult>>;
}

/// A member's answers in a team lobby.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LobbyMember {
    /// Who.
    pub user_id: u64,
    /// Their answers, as they finished the questionnaire.
    pub answers: Answers,
    /// Whether they agreed to show their answers (and their name in the result).
    pub show_answers: bool,
}

/// Where a team lobby stands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum LobbyStatus {
    /// Members can answer.
    Open,
    /// Decided: the team's result, and who decided.
    Decided {
        /// The combined result.
        result: Box<TeamResult>,
        /// The member who decided.
        by: u64,
    },
    /// Cancelled by the organiser or a server manager.
    Cancelled {
        /// Who cancelled.
        by: u64,
    },
}

/// A team lobby: a public message where members answer privately, then decide
/// together. Stored whole as JSON, with `version` as a column for compare-and-swap.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Lobby {
    /// Short unique id, carried in the lobby's custom_ids.
    pub id: String,
    /// The server.
    pub guild_id: u64,
    /// The channel of the lobby message.
    pub channel_id: u64,
    /// The lobby message, once known.
    pub message_id: Option<u64>,
    /// Who opened it (may decide or cancel).
    pub organiser_id: u64,
    /// The question set every member answers.
    pub set_id: SetId,
    /// Its version when the lobby opened.
    pub set_version: u32,
    /// For a server's own set, the stored revision; `None` for built-in sets.
    pub set_revision: Option<u32>,
    /// Its title at the time.
    pub set_title: String,
    /// Members who finished, in the order they first did.
    pub members: Vec<LobbyMember>,
    /// Open, decided or cancelled.
    pub status: LobbyStatus,
    /// Bumped on every change (compare-and-swap).
    pub version: u32,
    /// When it opened, in milliseconds since the Unix epoch (it expires from then).
    pub created_at_ms: u64,
}

/// Team lobbies.
#[async_trait]
pub trait LobbyStore: Send + Sync {
    /// Inserts or replaces a lobby; durable when it returns.
    async fn put_lobby(&self, lobby: &Lobby) -> anyhow::Result<()>;
    /// The lobby with this id.
    async fn get_lobby(&self, id: &str) -> anyhow::Result<Option<Lobby>>;
    /// Replaces a lobby only if its stored version is still `expected_version`, so two
    /// members finishing at once can't overwrite each other; returns whether it was
    /// replaced.
    async fn replace_lobby(&self, lobby: &Lobby, expected_version: u32) -> anyhow::Result<bool>;
    /// Deletes lobbies opened before `cutoff_ms`; returns how many.
    async fn purge_lobbies(&self, cutoff_ms: u64) -> anyhow::Result<usize>;
}

/// Everything the bot stores.
#[async_trait]
pub trait Storage: SessionStore + GuildStore + HistoryStore + LobbyStore + PrivacyStore {
    /// Which backend this is (`sqlite` or `postgres`), for logs and metrics.
    fn backend(&self) -> &'static str;
    /// Whether the database answers (a trivial query), for health checks.
    async fn ping(&self) -> anyhow::Result<()>;
}

/// Opens the configured database: a SQLite file (created if needed) or a PostgreSQL
/// server, migrated to this build's schema either way. Call it inside the runtime that
/// will use the store (PostgreSQL connections live on it).
pub async fn open(database: &Database) -> anyhow::Result<Arc<dyn Storage>> {
    match database {
        Database::Sqlite(path) => {
            let path = path.clone();
            // Opening and migrating a file blocks: not on a runtime thread.
            let store = tokio::task::spawn_blocking(move || SqliteStore::open(&path))
                .await
                .context("opening the SQLite database failed")??;
            Ok(Arc::new(store))
        }
        Database::Postgres(url) => {
            let store = PostgresStore::connect(url.expose(), None)
                .await
                .with_context(|| format!("cannot use the database {url}"))?;
            Ok(Arc::new(store))
        }
    }
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}
