//! Storage of conversations in progress, behind a narrow trait so the in-memory store
//! and a database store are interchangeable. Conversations live here, not in the
//! process, so a restarted bot carries on where it stopped.

mod memory;

use serde::{Deserialize, Serialize};

pub use memory::MemoryStore;

use crate::conversation::{Conversation, Stage};

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
}

impl Session {
    /// Whether the conversation is waiting for an answer.
    pub fn is_asking(&self) -> bool {
        matches!(self.conversation.stage, Stage::Asking(_))
    }
}

/// Where sessions are kept.
pub trait SessionStore: Send + Sync {
    /// The session with this id.
    fn get(&self, id: &str) -> anyhow::Result<Option<Session>>;
    /// Inserts or replaces a session; durable when it returns.
    fn put(&self, session: &Session) -> anyhow::Result<()>;
    /// The user's most recent DM session that is still asking questions.
    fn open_dm(&self, user_id: u64) -> anyhow::Result<Option<Session>>;
    /// Deletes a session.
    fn remove(&self, id: &str) -> anyhow::Result<()>;
    /// Deletes sessions untouched since before `cutoff_ms`; returns how many.
    fn purge_idle(&self, cutoff_ms: u64) -> anyhow::Result<usize>;
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}
