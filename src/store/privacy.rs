//! Users' data in their hands: what the retention purge, `/forget` and a server's
//! deletion remove, and the clock the purge reads (a trait, so a test can move time).

use async_trait::async_trait;

/// What one deletion removed, by kind of row. Shown to the user who asked (counts
/// only), and logged.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Removed {
    /// Conversations (in progress or finished).
    pub conversations: u64,
    /// Completed recommendations (the `/history` entries).
    pub results: u64,
    /// Uploads of question sets waiting for a confirmation.
    pub pending_uploads: u64,
    /// Stored versions of a server's question sets (a server's deletion only).
    pub set_versions: u64,
    /// A server's settings row (a server's deletion only).
    pub settings: u64,
    // Team lobby answers: add their count here, and their deletion to `forget_user`
    // and `forget_guild` of both backends (`sqlite/privacy.rs`, `postgres/privacy.rs`).
}

impl Removed {
    /// Every row removed.
    pub fn total(&self) -> u64 {
        self.conversations + self.results + self.pending_uploads + self.set_versions + self.settings
    }
}

/// Deletions of users' and servers' data. Each call is one transaction: it removes
/// everything it names or nothing.
#[async_trait]
pub trait PrivacyStore: Send + Sync {
    /// The retention purge: deletes completed recommendations created before
    /// `cutoff_ms` and finished (no longer asking) conversations untouched since before
    /// it. Conversations still asking are left to the idle purge.
    async fn purge_expired(&self, cutoff_ms: u64) -> anyhow::Result<Removed>;
    /// Deletes everything stored about a user: their conversations, their results and
    /// their pending uploads. Question set versions they uploaded belong to the server
    /// and stay, with the uploader's id replaced by 0.
    async fn forget_user(&self, user_id: u64) -> anyhow::Result<Removed>;
    /// Deletes everything stored about a server: its settings, every version of its
    /// question sets, its pending uploads, and the conversations and results that
    /// happened in it.
    async fn forget_guild(&self, guild_id: u64) -> anyhow::Result<Removed>;
}

/// Where "now" comes from, in milliseconds since the Unix epoch.
pub trait Clock: Send + Sync {
    /// The current time.
    fn now_ms(&self) -> u64;
}

/// The system's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> u64 {
        super::now_ms()
    }
}
