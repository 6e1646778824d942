//! The purge: what the bot forgets by itself, on a timer. Conversations left
//! unanswered expire after the idle timeout; completed recommendations and finished
//! conversations are deleted once older than the retention period; uploads never
//! confirmed are dropped after a day. "Now" comes from a [`Clock`], so a test moves
//! time instead of waiting for it.

use std::time::Duration;

use anyhow::{Context as _, Result};

use super::millis;
use crate::store::{Clock, Removed, Storage};

/// Uploads waiting for confirmation are dropped after this long.
pub const PENDING_UPLOAD_LIFETIME: Duration = Duration::from_secs(24 * 60 * 60);

/// How long things are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Conversations untouched this long expire (whether finished or not).
    pub idle_timeout: Duration,
    /// Completed recommendations and finished conversations older than this are
    /// deleted (`retention_days`).
    pub retention: Duration,
}

/// What one round removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Purged {
    /// Conversations expired by the idle timeout.
    pub idle: usize,
    /// Results and finished conversations past the retention period.
    pub expired: Removed,
    /// Upload confirmations dropped.
    pub pending: usize,
}

/// One round of the purge at the clock's "now". Each deletion is its own
/// transaction; the first failure stops the round (the next one retries).
pub async fn run_once(store: &dyn Storage, clock: &dyn Clock, policy: &Policy) -> Result<Purged> {
    let now = clock.now_ms();
    let idle = store
        .purge_idle(now.saturating_sub(millis(policy.idle_timeout)))
        .await
        .context("could not purge idle conversations")?;
    let expired = store
        .purge_expired(now.saturating_sub(millis(policy.retention)))
        .await
        .context("could not delete results past the retention period")?;
    let pending = store
        .purge_pending(now.saturating_sub(millis(PENDING_UPLOAD_LIFETIME)))
        .await
        .context("could not purge old upload confirmations")?;
    Ok(Purged {
        idle,
        expired,
        pending,
    })
}
