//! `use`, `preview`, `export`, `versions`, `rollback` and `remove`.

use anyhow::{Context as _, Result};
use serenity::all::{CommandInteraction, CreateAttachment};

use super::{find, unknown_set};
use crate::discord::custom_id::session_id;
use crate::discord::render::{self, Reply};
use crate::discord::{flow, State};
use crate::discord::{Ctx, Response};
use crate::ids::SetId;
use crate::session::Place;

/// Discord's limit for a message's content.
const CONTENT_MAX: usize = 2000;

/// Makes a set the one `/recommend` uses in the server.
pub(super) async fn use_set(state: &State, guild: u64, set_id: Option<&SetId>) -> Result<Reply> {
    let Some(set) = find(state, guild, set_id).await? else {
        return unknown_set(state, guild, set_id).await;
    };
    state.sessions.set_active(guild, Some(&set.id)).await?;
    Ok(Reply::notice(format!(
        "`/recommend` now uses `{}` — {} (v{}).",
        set.id, set.title, set.version
    )))
}

/// Runs a set for the admin alone; the result shows the weights it produced.
pub(super) async fn preview(
    ctx: &Ctx,
    state: &State,
    command: &CommandInteraction,
    guild: u64,
    set_id: Option<&SetId>,
) -> Result<()> {
    let resolved = match set_id {
        Some(id) => state.sessions.find_set(Some(guild), id).await?,
        None => None,
    };
    let Some(set) = resolved else {
        return super::super::respond(ctx, command, unknown_set(state, guild, set_id).await?, true)
            .await;
    };
    let place = Place {
        user_id: command.user.id.get(),
        guild_id: Some(guild),
        dm_channel_id: None,
    };
    let current = state
        .sessions
        .start(&set, session_id(command.id.get()), place, true)
        .await
        .context("could not store the preview")?;
    let mut reply = flow::current_view(state, &current)?;
    let coverage = super::coverage_summary(state, &set).await;
    reply.content = Some(render::clip(
        &format!("Previewing `{}`: answer as a user would; the result shows the weights it produces. Nothing is recorded.\n{coverage}", set.id),
        CONTENT_MAX,
    ));
    super::super::respond(ctx, command, reply, true).await
}

/// Sends a set's TOML as an attachment, ready to edit and upload again.
pub(super) async fn export(
    ctx: &Ctx,
    state: &State,
    command: &CommandInteraction,
    guild: u64,
    set_id: Option<&SetId>,
) -> Result<()> {
    let Some(id) = set_id else {
        return super::super::respond(ctx, command, unknown_set(state, guild, None).await?, true)
            .await;
    };
    let stored = state
        .sessions
        .store
        .current_sets(guild)
        .await?
        .into_iter()
        .find(|s| &s.set_id == id)
        .and_then(|s| s.source);
    let Some(source) = stored.or_else(|| state.sessions.library.sources.get(id).cloned()) else {
        return super::super::respond(ctx, command, unknown_set(state, guild, set_id).await?, true)
            .await;
    };
    let reply = Reply {
        files: vec![CreateAttachment::bytes(
            source.into_bytes(),
            format!("{id}.toml"),
        )],
        ..Reply::notice(format!(
            "`{id}` as TOML: edit it and upload it again with `/questions upload`."
        ))
    };
    let response = Response::message(reply, true);
    ctx.respond(command.into(), response)
        .await
        .context("could not send the export")
}

/// Every stored version of a server set, newest first.
pub(super) async fn versions(state: &State, guild: u64, set_id: Option<&SetId>) -> Result<Reply> {
    let Some(id) = set_id else {
        return unknown_set(state, guild, None).await;
    };
    let versions = state.sessions.store.set_versions(guild, id).await?;
    if versions.is_empty() {
        return Ok(Reply::notice(format!(
            "`{id}` has no stored versions in this server (built-in sets aren't versioned here)."
        )));
    }
    let current = versions.last().map(|v| v.revision);
    let lines: Vec<String> = versions
        .iter()
        .rev()
        .take(25)
        .map(|v| {
            let what = if v.source.is_some() {
                "upload"
            } else {
                "removal"
            };
            let mark = if Some(v.revision) == current && v.source.is_some() {
                " ← current"
            } else {
                ""
            };
            // 0: the uploader used `/forget`.
            let by = match v.changed_by {
                0 => "a member who asked to be forgotten".to_owned(),
                id => format!("<@{id}>"),
            };
            format!(
                "**v{}** — {what} by {by} <t:{}:R>{mark}",
                v.revision,
                v.changed_at_ms / 1000
            )
        })
        .collect();
    Ok(Reply::notice(format!(
        "Versions of `{id}` (newest first):\n{}\n\nRestore one with `/questions rollback`.",
        lines.join("\n")
    )))
}

/// Restores an earlier version as a new current version.
pub(super) async fn rollback(
    state: &State,
    guild: u64,
    user: u64,
    set_id: Option<&SetId>,
    version: u32,
) -> Result<Reply> {
    let Some(id) = set_id else {
        return unknown_set(state, guild, None).await;
    };
    let versions = state.sessions.store.set_versions(guild, id).await?;
    let Some(target) = versions.iter().find(|v| v.revision == version) else {
        let known: Vec<String> = versions
            .iter()
            .map(|v| format!("v{}", v.revision))
            .collect();
        return Ok(Reply::notice(format!(
            "`{id}` has no version {version}. Stored: {}.",
            if known.is_empty() {
                "none".to_owned()
            } else {
                known.join(", ")
            }
        )));
    };
    let Some(source) = &target.source else {
        return Ok(Reply::notice(format!(
            "Version {version} of `{id}` is a removal; pick an upload to restore."
        )));
    };
    let revision = state
        .sessions
        .add_set_version(guild, id, Some(source), user, false)
        .await?;
    Ok(Reply::notice(format!(
        "Restored version {version} of `{id}`: it is now the current version ({revision})."
    )))
}

/// Removes a server set (stored as a version, so it can be restored).
pub(super) async fn remove(
    state: &State,
    guild: u64,
    user: u64,
    set_id: Option<&SetId>,
) -> Result<Reply> {
    let Some(id) = set_id else {
        return unknown_set(state, guild, None).await;
    };
    if !state
        .sessions
        .store
        .current_sets(guild)
        .await?
        .iter()
        .any(|s| &s.set_id == id)
    {
        return Ok(Reply::notice(format!(
            "`{id}` is not a server set, so there is nothing to remove (built-in sets stay)."
        )));
    }
    // Also resets the server to the default if this was its set, in the same write.
    let revision = state
        .sessions
        .add_set_version(guild, id, None, user, false)
        .await?;
    Ok(Reply::notice(format!(
        "Removed `{id}`. Its versions are kept (`/questions versions`); roll back to restore it. (Recorded as version {revision}.)"
    )))
}
