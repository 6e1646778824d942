//! Team lobbies in SQLite: one row per lobby, the lobby as JSON, the version as a
//! column so that a replacement is one compare-and-swap statement.

use anyhow::{Context as _, Result};
use async_trait::async_trait;
use rusqlite::{params, OptionalExtension};

use super::{id, SqliteStore};
use crate::store::{Lobby, LobbyStore};

fn unreadable_lobby(data: &str) -> Result<Lobby> {
    serde_json::from_str(data).context("a stored team lobby is unreadable")
}

#[async_trait]
impl LobbyStore for SqliteStore {
    async fn put_lobby(&self, lobby: &Lobby) -> Result<()> {
        let data = serde_json::to_string(lobby)?;
        let (lobby_id, guild, version, created) = (
            lobby.id.clone(),
            id(lobby.guild_id),
            lobby.version,
            id(lobby.created_at_ms),
        );
        self.write(move |c| {
            c.prepare_cached(
                "INSERT OR REPLACE INTO lobbies (id, guild_id, version, created_at_ms, data)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![lobby_id, guild, version, created, data])?;
            Ok(())
        })
        .await
    }

    async fn get_lobby(&self, lobby_id: &str) -> Result<Option<Lobby>> {
        let lobby_id = lobby_id.to_owned();
        let data: Option<String> = self
            .read(move |c| {
                Ok(c.prepare_cached("SELECT data FROM lobbies WHERE id = ?1")?
                    .query_row([lobby_id], |r| r.get(0))
                    .optional()?)
            })
            .await?;
        data.as_deref().map(unreadable_lobby).transpose()
    }

    async fn replace_lobby(&self, lobby: &Lobby, expected_version: u32) -> Result<bool> {
        let data = serde_json::to_string(lobby)?;
        let (lobby_id, version) = (lobby.id.clone(), lobby.version);
        let changed = self
            .write(move |c| {
                Ok(c.prepare_cached(
                    "UPDATE lobbies SET version = ?2, data = ?3 WHERE id = ?1 AND version = ?4",
                )?
                .execute(params![lobby_id, version, data, expected_version])?)
            })
            .await?;
        Ok(changed == 1)
    }

    async fn purge_lobbies(&self, cutoff_ms: u64) -> Result<usize> {
        self.write(move |c| {
            Ok(c.execute(
                "DELETE FROM lobbies WHERE created_at_ms < ?1",
                [id(cutoff_ms)],
            )?)
        })
        .await
    }
}
