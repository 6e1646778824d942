//! The retention purge, `/forget` and a server's deletion on SQLite: each one job of
//! the writer, so one transaction.

use anyhow::Result;
use async_trait::async_trait;
use rusqlite::Connection;

use super::{id, SqliteStore};
use crate::store::privacy::{forget_in_lobby, InLobby};
use crate::store::{Lobby, PrivacyStore, Removed};

/// Runs `statements` (each with the one parameter `key`) in a savepoint of the
/// writer's transaction; returns how many rows each changed.
fn delete_all(c: &mut Connection, statements: &[&str], key: i64) -> Result<Vec<u64>> {
    let tx = c.savepoint()?;
    let mut counts = Vec::with_capacity(statements.len());
    for sql in statements {
        let changed = tx.prepare_cached(sql)?.execute([key])?;
        counts.push(u64::try_from(changed).unwrap_or(u64::MAX));
    }
    tx.commit()?;
    Ok(counts)
}

/// Takes a user out of every team lobby (deleting those they opened), in a savepoint of
/// the writer's transaction; returns how many lobbies changed.
fn forget_in_lobbies(c: &mut Connection, user_id: u64) -> Result<u64> {
    let tx = c.savepoint()?;
    // Narrowed by the id's digits in the JSON; each candidate is then read exactly.
    let candidates: Vec<(String, String)> = tx
        .prepare_cached("SELECT id, data FROM lobbies WHERE data LIKE ?1")?
        .query_map([format!("%{user_id}%")], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut changed = 0;
    for (lobby_id, data) in candidates {
        let outcome = match serde_json::from_str::<Lobby>(&data) {
            Ok(mut lobby) => match forget_in_lobby(&mut lobby, user_id) {
                InLobby::Untouched => continue,
                InLobby::AnswersRemoved => tx
                    .prepare_cached("UPDATE lobbies SET version = ?2, data = ?3 WHERE id = ?1")?
                    .execute(rusqlite::params![
                        lobby_id,
                        lobby.version,
                        serde_json::to_string(&lobby)?
                    ])?,
                InLobby::Delete => tx
                    .prepare_cached("DELETE FROM lobbies WHERE id = ?1")?
                    .execute([&lobby_id])?,
            },
            // Unreadable, and it may hold their answers: it goes.
            Err(_) => tx
                .prepare_cached("DELETE FROM lobbies WHERE id = ?1")?
                .execute([&lobby_id])?,
        };
        changed += u64::try_from(outcome).unwrap_or(0);
    }
    tx.commit()?;
    Ok(changed)
}

/// The count at `index` (0 if the statement list is shorter).
fn at(counts: &[u64], index: usize) -> u64 {
    counts.get(index).copied().unwrap_or(0)
}

#[async_trait]
impl PrivacyStore for SqliteStore {
    async fn purge_expired(&self, cutoff_ms: u64) -> Result<Removed> {
        let counts = self
            .write(move |c| {
                delete_all(
                    c,
                    &[
                        "DELETE FROM sessions WHERE asking = 0 AND updated_at_ms < ?1",
                        "DELETE FROM recommendations WHERE created_at_ms < ?1",
                    ],
                    id(cutoff_ms),
                )
            })
            .await?;
        Ok(Removed {
            conversations: at(&counts, 0),
            results: at(&counts, 1),
            ..Removed::default()
        })
    }

    async fn forget_user(&self, user_id: u64) -> Result<Removed> {
        let counts = self
            .write(move |c| {
                delete_all(
                    c,
                    &[
                        "DELETE FROM sessions WHERE user_id = ?1",
                        "DELETE FROM recommendations WHERE user_id = ?1",
                        "DELETE FROM pending_uploads WHERE user_id = ?1",
                        // The server's set versions stay; who uploaded them doesn't.
                        "UPDATE question_sets SET changed_by = 0 WHERE changed_by = ?1",
                    ],
                    id(user_id),
                )
                .and_then(|mut counts| {
                    counts.push(forget_in_lobbies(c, user_id)?);
                    Ok(counts)
                })
            })
            .await?;
        Ok(Removed {
            conversations: at(&counts, 0),
            results: at(&counts, 1),
            pending_uploads: at(&counts, 2),
            lobbies: at(&counts, 4),
            ..Removed::default()
        })
    }

    async fn forget_guild(&self, guild_id: u64) -> Result<Removed> {
        let counts = self
            .write(move |c| {
                delete_all(
                    c,
                    &[
                        "DELETE FROM sessions WHERE guild_id = ?1",
                        "DELETE FROM recommendations WHERE guild_id = ?1",
                        "DELETE FROM pending_uploads WHERE guild_id = ?1",
                        "DELETE FROM question_sets WHERE guild_id = ?1",
                        "DELETE FROM guild_settings WHERE guild_id = ?1",
                        "DELETE FROM lobbies WHERE guild_id = ?1",
                    ],
                    id(guild_id),
                )
            })
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
