//! Team lobbies in PostgreSQL: one row per lobby, the lobby as JSON, the version as a
//! column so that a replacement is one compare-and-swap statement (a concurrent
//! update from any process re-checks the version once the other commits).

use anyhow::{Context as _, Result};
use async_trait::async_trait;

use super::{column, count, execute, id, query_opt, PostgresStore};
use crate::store::{Lobby, LobbyStore};

fn unreadable_lobby(data: &str) -> Result<Lobby> {
    serde_json::from_str(data).context("a stored team lobby is unreadable")
}

#[async_trait]
impl LobbyStore for PostgresStore {
    async fn put_lobby(&self, lobby: &Lobby) -> Result<()> {
        let data = serde_json::to_string(lobby)?;
        let client = self.client().await?;
        execute(
            &client,
            "INSERT INTO lobbies (id, guild_id, version, created_at_ms, data)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (id) DO UPDATE SET
                 guild_id = excluded.guild_id, version = excluded.version,
                 created_at_ms = excluded.created_at_ms, data = excluded.data",
            &[
                &lobby.id,
                &id(lobby.guild_id),
                &i64::from(lobby.version),
                &id(lobby.created_at_ms),
                &data,
            ],
        )
        .await?;
        Ok(())
    }

    async fn get_lobby(&self, lobby_id: &str) -> Result<Option<Lobby>> {
        let client = self.client().await?;
        let row = query_opt(
            &client,
            "SELECT data FROM lobbies WHERE id = $1",
            &[&lobby_id],
        )
        .await?;
        row.map(|r| unreadable_lobby(&column::<String>(&r, "data")?))
            .transpose()
    }

    async fn replace_lobby(&self, lobby: &Lobby, expected_version: u32) -> Result<bool> {
        let data = serde_json::to_string(lobby)?;
        let client = self.client().await?;
        let changed = execute(
            &client,
            "UPDATE lobbies SET version = $2, data = $3 WHERE id = $1 AND version = $4",
            &[
                &lobby.id,
                &i64::from(lobby.version),
                &data,
                &i64::from(expected_version),
            ],
        )
        .await?;
        Ok(changed == 1)
    }

    async fn purge_lobbies(&self, cutoff_ms: u64) -> Result<usize> {
        let client = self.client().await?;
        let removed = execute(
            &client,
            "DELETE FROM lobbies WHERE created_at_ms < $1",
            &[&id(cutoff_ms)],
        )
        .await?;
        Ok(count(removed))
    }
}
