//! The retention purge, `/forget` and a server's deletion on PostgreSQL: each one
//! transaction.

use anyhow::Result;
use async_trait::async_trait;

use super::{execute, id, query, PostgresStore};
use crate::store::privacy::{forget_in_lobby, InLobby};
use crate::store::{Lobby, PrivacyStore, Removed};

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
        let key = id(user_id);
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let mut counts = Vec::new();
        for sql in [
            "DELETE FROM sessions WHERE user_id = $1",
            "DELETE FROM recommendations WHERE user_id = $1",
            "DELETE FROM pending_uploads WHERE user_id = $1",
            // The server's set versions stay; who uploaded them doesn't.
            "UPDATE question_sets SET changed_by = 0 WHERE changed_by = $1",
        ] {
            counts.push(execute(&tx, sql, &[&key]).await?);
        }
        // Team lobbies: narrowed by the id's digits in the JSON (rows locked until the
        // end), each candidate then read exactly.
        let pattern = format!("%{user_id}%");
        let candidates = query(
            &tx,
            "SELECT id, data FROM lobbies WHERE data LIKE $1 FOR UPDATE",
            &[&pattern],
        )
        .await?;
        let mut lobbies = 0;
        for row in candidates {
            let lobby_id: String = row.try_get("id")?;
            let data: String = row.try_get("data")?;
            lobbies += match serde_json::from_str::<Lobby>(&data) {
                Ok(mut lobby) => match forget_in_lobby(&mut lobby, user_id) {
                    InLobby::Untouched => continue,
                    InLobby::AnswersRemoved => {
                        execute(
                            &tx,
                            "UPDATE lobbies SET version = $2, data = $3 WHERE id = $1",
                            &[
                                &lobby_id,
                                &i64::from(lobby.version),
                                &serde_json::to_string(&lobby)?,
                            ],
                        )
                        .await?
                    }
                    InLobby::Delete => {
                        execute(&tx, "DELETE FROM lobbies WHERE id = $1", &[&lobby_id]).await?
                    }
                },
                // Unreadable, and it may hold their answers: it goes.
                Err(_) => execute(&tx, "DELETE FROM lobbies WHERE id = $1", &[&lobby_id]).await?,
            };
        }
        tx.commit().await?;
        Ok(Removed {
            conversations: at(&counts, 0),
            results: at(&counts, 1),
            pending_uploads: at(&counts, 2),
            lobbies,
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
                    "DELETE FROM lobbies WHERE guild_id = $1",
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
            lobbies: at(&counts, 5),
        })
    }
}
