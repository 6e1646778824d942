//! Users' data in their hands: `/forget` (a user deletes everything stored about
//! them), `/questions settings delete_server_data` (an admin deletes a server's), and
//! the bot's removal from a server (its data goes too). Both commands ask first, with
//! buttons on a message only the asker sees; the answer counts what was removed.

use anyhow::{Context as _, Result};
use serenity::all::{
    ButtonStyle, CommandInteraction, ComponentInteraction, CreateActionRow, CreateButton,
    CreateCommand,
};
use tracing::info;

use super::super::custom_id::Other;
use super::super::render::Reply;
use super::super::{flow, State};
use super::questions::is_allowed;
use crate::discord::{Ctx, Response};
use crate::store::Removed;

/// The command's name.
pub const NAME: &str = "forget";

/// Registration.
pub fn register() -> CreateCommand {
    CreateCommand::new(NAME).description("Delete everything this bot stores about you")
}

/// A confirmation: the question and its two buttons.
fn confirmation(text: &str, yes: Other, yes_label: &str, no: Other) -> Reply {
    let mut reply = Reply::notice(text);
    reply.components = vec![CreateActionRow::Buttons(vec![
        CreateButton::new(yes.to_string())
            .label(yes_label)
            .style(ButtonStyle::Danger),
        CreateButton::new(no.to_string())
            .label("Cancel")
            .style(ButtonStyle::Secondary),
    ])];
    reply
}

/// `/forget`: asks for a confirmation (nothing is deleted yet).
pub async fn run(ctx: &Ctx, _state: &State, command: &CommandInteraction) -> Result<()> {
    let reply = confirmation(
        "**Delete everything I store about you?**\nYour conversations in progress, your past recommendations (`/history`) and any question set upload waiting for your confirmation, in every server and in DMs. This can't be undone.",
        Other::Forget(true),
        "Delete my data",
        Other::Forget(false),
    );
    super::respond(ctx, command, reply, true).await
}

/// `/questions settings delete_server_data`: asks an admin for a confirmation.
pub fn server_confirmation() -> Reply {
    confirmation(
        "**Delete all of this server's data?**\nIts settings, every version of its question sets, uploads waiting for confirmation, and the conversations and recommendations members had here (also from their `/history`). `/recommend` goes back to the built-in default set. This can't be undone.",
        Other::ForgetServer(true),
        "Delete this server's data",
        Other::ForgetServer(false),
    )
}

/// "3 recommendations", "1 conversation".
fn count(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// What was removed, in a sentence.
pub fn describe(removed: &Removed) -> String {
    let mut parts = vec![
        count(removed.conversations, "conversation", "conversations"),
        count(removed.results, "recommendation", "recommendations"),
        count(removed.pending_uploads, "pending upload", "pending uploads"),
    ];
    if removed.set_versions > 0 || removed.settings > 0 {
        parts.push(count(
            removed.set_versions,
            "question set version",
            "question set versions",
        ));
        parts.push(count(
            removed.settings,
            "settings record",
            "settings records",
        ));
    }
    if removed.lobbies > 0 {
        parts.push(count(removed.lobbies, "team lobby", "team lobbies"));
    }
    let last = parts.pop().unwrap_or_default();
    format!("{} and {last}", parts.join(", "))
}

/// The buttons of both confirmations. The user's data is the clicker's own; a
/// server's needs Manage Server, checked again on the click.
pub async fn confirm(
    ctx: &Ctx,
    state: &State,
    click: &ComponentInteraction,
    other: &Other,
) -> Result<()> {
    let reply = match other {
        Other::Forget(false) | Other::ForgetServer(false) => {
            Reply::notice("Cancelled. Nothing was deleted.")
        }
        Other::Forget(true) => {
            let user = click.user.id.get();
            let removed = state.sessions.store.forget_user(user).await;
            // Even after an error: the deletion may have been committed all the same.
            state.sessions.forget_user(user);
            let removed = removed?;
            info!(
                conversations = removed.conversations,
                results = removed.results,
                pending = removed.pending_uploads,
                "a user's data was deleted at their request"
            );
            Reply::notice(format!(
                "Done: I deleted {}. Question set versions you uploaded stay with their servers, no longer linked to you.",
                describe(&removed)
            ))
        }
        Other::ForgetServer(true) => {
            let Some(guild) = click.guild_id.map(|g| g.get()) else {
                return flow::ephemeral(ctx, click, "This only works in a server.").await;
            };
            if !is_allowed(click.member.as_ref().and_then(|m| m.permissions)) {
                return flow::ephemeral(
                    ctx,
                    click,
                    "Only members with Manage Server can do that. Nothing was deleted.",
                )
                .await;
            }
            let removed = forget_guild(state, guild, "at an admin's request").await?;
            Reply::notice(format!(
                "Done: I deleted {}. `/recommend` uses the built-in default set here now.",
                describe(&removed)
            ))
        }
        _ => return Ok(()),
    };
    ctx.respond(click.into(), Response::Update(reply))
        .await
        .context("could not answer the confirmation")
}

/// Deletes a server's data (an admin asked, or the bot was removed from it).
pub async fn forget_guild(state: &State, guild: u64, why: &str) -> Result<Removed> {
    let removed = state.sessions.store.forget_guild(guild).await;
    // Even after an error: the deletion may have been committed all the same.
    state.sessions.forget_guild(guild);
    let removed =
        removed.with_context(|| format!("could not delete the data of server {guild}"))?;
    info!(
        guild,
        why,
        conversations = removed.conversations,
        results = removed.results,
        set_versions = removed.set_versions,
        "a server's data was deleted"
    );
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_was_removed_reads_as_a_sentence() {
        let user = Removed {
            conversations: 1,
            results: 2,
            ..Removed::default()
        };
        assert_eq!(
            describe(&user),
            "1 conversation, 2 recommendations and 0 pending uploads"
        );
        let server = Removed {
            set_versions: 3,
            settings: 1,
            ..Removed::default()
        };
        assert_eq!(
            describe(&server),
            "0 conversations, 0 recommendations, 0 pending uploads, 3 question set versions and 1 settings record"
        );
        let member = Removed {
            lobbies: 2,
            ..Removed::default()
        };
        assert_eq!(
            describe(&member),
            "0 conversations, 0 recommendations, 0 pending uploads and 2 team lobbies"
        );
    }
}
