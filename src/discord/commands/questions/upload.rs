//! `upload` and its confirmation: validate, show what changes, store a new version.

use std::collections::BTreeMap;

use anyhow::Result;
use serenity::all::{ButtonStyle, ComponentInteraction, CreateActionRow, CreateButton};

use super::{is_allowed, update};
use crate::discord::attachment::DownloadError;
use crate::discord::custom_id::Other;
use crate::discord::render::{self, Reply};
use crate::discord::Ctx;
use crate::discord::{flow, State};
use crate::questionnaire::{QuestionSet, MAX_FILE_BYTES};
use crate::store::PendingUpload;

/// What changed between two versions of a set, in a few lines.
fn diff(old: &QuestionSet, new: &QuestionSet) -> Vec<String> {
    let mut lines = Vec::new();
    if old.title != new.title {
        lines.push(format!("title: “{}” → “{}”", old.title, new.title));
    }
    let old_ids: BTreeMap<_, _> = old.questions.iter().map(|q| (&q.id, q)).collect();
    let new_ids: BTreeMap<_, _> = new.questions.iter().map(|q| (&q.id, q)).collect();
    for (id, q) in &new_ids {
        match old_ids.get(id) {
            None => lines.push(format!("➕ added `{id}`: {}", q.prompt)),
            Some(before) if before != q => lines.push(format!("✏️ changed `{id}`")),
            Some(_) => {}
        }
    }
    for id in old_ids.keys().filter(|id| !new_ids.contains_key(*id)) {
        lines.push(format!("➖ removed `{id}`"));
    }
    if lines.is_empty() {
        lines.push("no change to the questions".to_owned());
    }
    lines
}

/// Validates and stores an upload, or keeps it pending when it replaces a set.
/// `(guild, user, upload_id)`: where, by whom, and the id its confirmation carries.
pub(super) async fn upload(
    state: &State,
    (guild, user, upload_id): (u64, u64, String),
    file: &serenity::all::Attachment,
    activate: bool,
) -> Result<Reply> {
    if !file.filename.to_lowercase().ends_with(".toml") {
        return Ok(Reply::notice(format!(
            "`{}` is not a .toml file. Question sets are TOML text files; see the format guide (questions/README.md).",
            render::clip(&file.filename, 100)
        )));
    }
    if file.size as usize > MAX_FILE_BYTES {
        return Ok(Reply::notice(format!(
            "`{}` is {} bytes, over the 64 KiB limit. Split it into smaller sets. Nothing was stored.",
            render::clip(&file.filename, 100),
            file.size
        )));
    }
    if file.size == 0 {
        return Ok(Reply::notice("The file is empty. Nothing was stored."));
    }
    // Discord's `size` is only a first filter: the download has its own cap.
    let bytes = match state.downloader.fetch(&file.url, MAX_FILE_BYTES).await {
        Ok(bytes) => bytes,
        Err(error) => {
            let advice = match error {
                DownloadError::TooLarge { .. } => "Split it into smaller sets (64 KiB at most).",
                _ => "Try the upload again in a moment.",
            };
            return Ok(Reply::notice(format!(
                "I could not read `{}`: {error}. Nothing was stored. {advice}",
                render::clip(&file.filename, 100)
            )));
        }
    };
    let set = match QuestionSet::from_bytes(&file.filename, &bytes, &state.sessions.catalogue) {
        Ok(set) => set,
        Err(error) => {
            let text = format!(
                "**The set was not stored.** Every problem found:\n```\n{}\n```",
                render::clip(&error.to_string(), 3900)
            );
            return Ok(Reply::notice(text));
        }
    };
    let source = String::from_utf8_lossy(&bytes).into_owned();
    let current = state.sessions.find_set(Some(guild), &set.id).await?;
    let is_server_set = state
        .sessions
        .store
        .current_sets(guild)
        .await?
        .iter()
        .any(|s| s.set_id == set.id);
    if let Some(old) = &current {
        // Replacing a set, the server's own or a built-in one, needs a confirmation.
        let pending = PendingUpload {
            id: upload_id,
            guild_id: guild,
            user_id: user,
            set_id: set.id.clone(),
            source,
            activate,
        };
        state.sessions.store.put_pending(&pending).await?;
        let existing = if is_server_set {
            "this server's"
        } else {
            "the built-in"
        };
        let coverage = super::coverage_summary(state, &set).await;
        let changes = render::clip(&diff(old, &set).join("\n"), 2000);
        let mut reply = Reply::notice(format!(
            "This replaces {existing} `{}` here (v{}). Replace it with this upload ({} questions)?\n\n**Changes:**\n{changes}\n\n{coverage}",
            set.id,
            old.version,
            set.questions.len(),
        ));
        reply.components = vec![CreateActionRow::Buttons(vec![
            CreateButton::new(Other::ConfirmUpload(pending.id.clone()).to_string())
                .label("Replace")
                .style(ButtonStyle::Danger),
            CreateButton::new(Other::KeepCurrent(pending.id).to_string())
                .label("Keep the current one")
                .style(ButtonStyle::Secondary),
        ])];
        return Ok(reply);
    }
    let revision = state
        .sessions
        .add_set_version(guild, &set.id, Some(&source), user, activate)
        .await?;
    let mut text = format!(
        "Stored `{}` — {} — as version {revision} ({} questions).",
        set.id,
        set.title,
        set.questions.len()
    );
    text.push_str(if activate {
        "\n`/recommend` now uses it."
    } else {
        "\nUse `/questions use` to make `/recommend` use it, or `/questions preview` to try it."
    });
    text.push_str("\n\n");
    text.push_str(&super::coverage_summary(state, &set).await);
    Ok(Reply::notice(text))
}

/// The confirmation buttons of an upload that replaces a set.
pub async fn confirm(
    ctx: &Ctx,
    state: &State,
    click: &ComponentInteraction,
    other: &Other,
) -> Result<()> {
    let (id, replace) = match other {
        Other::ConfirmUpload(id) => (id, true),
        Other::KeepCurrent(id) => (id, false),
        _ => return Ok(()),
    };
    if !is_allowed(click.member.as_ref().and_then(|m| m.permissions)) {
        return flow::ephemeral(ctx, click, "Only members with Manage Server can do that.").await;
    }
    let Some(pending) = state.sessions.store.take_pending(id).await? else {
        return update(
            ctx,
            click,
            Reply::notice("This upload was already confirmed or dropped."),
        )
        .await;
    };
    if pending.user_id != click.user.id.get()
        || Some(pending.guild_id) != click.guild_id.map(|g| g.get())
    {
        // Not theirs to decide: put it back untouched.
        state.sessions.store.put_pending(&pending).await?;
        return flow::ephemeral(
            ctx,
            click,
            "Only the admin who uploaded this file can confirm it.",
        )
        .await;
    }
    let reply = if replace {
        let revision = state
            .sessions
            .add_set_version(
                pending.guild_id,
                &pending.set_id,
                Some(&pending.source),
                click.user.id.get(),
                pending.activate,
            )
            .await?;
        Reply::notice(format!(
            "Replaced `{}`: it is now version {revision}.",
            pending.set_id
        ))
    } else {
        Reply::notice(format!(
            "Kept the current `{}`. The upload was dropped.",
            pending.set_id
        ))
    };
    update(ctx, click, reply).await
}
