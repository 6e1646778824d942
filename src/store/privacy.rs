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
    /// Team lobbies the user's answers were taken out of, or that were deleted (the
    /// ones they opened; a server's deletion: all of the server's).
    pub lobbies: u64,
}

impl Removed {
    /// Every row removed.
    pub fn total(&self) -> u64 {
        self.conversations
            + self.results
            + self.pending_uploads
            + self.set_versions
            + self.settings
            + self.lobbies
    }
}

/// What forgetting a user does to one team lobby.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InLobby {
    /// They are not in it.
    Untouched,
    /// Their answers were taken out (the lobby's version bumped, so a member finishing
    /// at the same moment retries on the new state).
    AnswersRemoved,
    /// They opened it: the lobby goes.
    Delete,
}

/// Takes a user out of a lobby (see [`InLobby`]).
pub fn forget_in_lobby(lobby: &mut super::Lobby, user_id: u64) -> InLobby {
    if lobby.organiser_id == user_id {
        return InLobby::Delete;
    }
    let before = lobby.members.len();
    lobby.members.retain(|m| m.user_id != user_id);
    if lobby.members.len() == before {
        return InLobby::Untouched;
    }
    lobby.version = lobby.version.wrapping_add(1);
    InLobby::AnswersRemoved
}

/// Deletions of users' and servers' data. Each call is one transaction: it removes
/// everything it names or nothing.
#[async_trait]
pub trait PrivacyStore: Send + Sync {
    /// The retention purge: deletes completed recommendations created before
    /// `cutoff_ms` and finished (no longer asking) conversations untouched since before
    /// it. Conversations still asking are left to the idle purge.
    async fn purge_expired(&self, cutoff_ms: u64) -> anyhow::Result<Removed>;
    /// Deletes everything stored about a user: their conversations, their results,
    /// their pending uploads, their answers in team lobbies and the lobbies they
    /// opened. Question set versions they uploaded belong to the server and stay, with
    /// the uploader's id replaced by 0.
    async fn forget_user(&self, user_id: u64) -> anyhow::Result<Removed>;
    /// Deletes everything stored about a server: its settings, every version of its
    /// question sets, its pending uploads, its team lobbies, and the conversations and
    /// results that happened in it.
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
