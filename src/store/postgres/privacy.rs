//! The retention purge, `/forget` and a server's deletion on PostgreSQL: each one
//! transaction.

use anyhow::Result;
use async_trait::async_trait;

use super::{execute, id, PostgresStore};
use crate::store::{PrivacyStore, Removed};

impl PostgresStore {
    /// Runs `statements` (each with the one parameter `key`) in one transaction;
    /// returns how many rows each changed.
    async fn delete_all(&self, statements: &[&str], key: i64) -> Result<Vec<u64>> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let mut counts = Vec::with_capacity(statements.len());
        for sql in statements {
            counts.push(execute(&tx, sql, &[&key]).await?);
        }
        tx.commit().await?;
        Ok(counts)
    }
}

/// The count at `index` (0 if the statement list is shorter).
fn at(counts: &[u64], index: usize) -> u64 {
    counts.get(index).copied().unwrap_or(0)
}

#[async_trait]
impl PrivacyStore for PostgresStore {
    async fn purge_expired(&self, cutoff_ms: u64) -> Result<Removed> {
        let counts = self
            .delete_all(
                &[
                    "DELETE FROM sessions WHERE NOT asking AND updated_at_ms < $1",
                    "DELETE FROM recommendations WHERE created_at_ms < $1",
                ],
                id(cutoff_ms),
            )
            .await?;
        Ok(Removed {
            conversations: at(&counts, 0),
            results: at(&counts, 1),
            ..Removed::default()
        })
    }

    async fn forget_user(&self, user_id: u64) -> Result<Removed> {
        let counts = self
            .delete_all(
                &[
                    "DELETE FROM sessions WHERE user_id = $1",
                    "DELETE FROM recommendations WHERE user_id = $1",
                    "DELETE FROM pending_uploads WHERE user_id = $1",
                    // The server's set versions stay; who uploaded them doesn't.
                    "UPDATE question_sets SET changed_by = 0 WHERE changed_by = $1",
                    // Team lobby answers: delete them here.
                ],
                id(user_id),
            )
            .await?;
        Ok(Removed {
            conversations: at(&counts, 0),
            results: at(&counts, 1),
            pending_uploads: at(&counts, 2),
            ..Removed::default()
        })
    }

    async fn forget_guild(&self, guild_id: u64) -> Result<Removed> {
        let counts = self
            .delete_all(
                &[
                    "DELETE FROM sessions WHERE guild_id = $1",
                    "DELETE FROM recommendations WHERE guild_id = $1",
                    "DELETE FROM pending_uploads WHERE guild_id = $1",
                    "DELETE FROM question_sets WHERE guild_id = $1",
                    "DELETE FROM guild_settings WHERE guild_id = $1",
                    // Team lobby answers given in the server: delete them here.
                ],
                id(guild_id),
            )
            .await?;
        Ok(Removed {
            conversations: at(&counts, 0),
            results: at(&counts, 1),
            pending_uploads: at(&counts, 2),
            set_versions: at(&counts, 3),
            settings: at(&counts, 4),
        })
    }
}
