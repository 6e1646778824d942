//! Slash commands. Every command module has the same shape: `NAME`, `register()`,
//! `run()` and, where it takes a name, `autocomplete()`; dispatch is one `match`.

mod compare;
mod criteria;
pub mod forget;
mod framework;
mod frameworks;
mod help;
pub mod history;
pub mod questions;
mod recommend;
pub mod registration;
mod team;

use anyhow::{Context as _, Result};
use serenity::all::{
    AutocompleteChoice, CommandInteraction, CreateCommand, Http, InstallationContext,
    InteractionContext, ResolvedValue,
};
use tracing::warn;

use super::{Reply, State};
use crate::discord::{Ctx, Response};
use crate::guide::{normalise, Catalogue};

/// Every command, as registered with Discord.
fn all() -> Vec<CreateCommand> {
    [
        recommend::register(),
        frameworks::register(),
        framework::register(),
        compare::register(),
        criteria::register(),
        help::register(),
        history::register(),
        forget::register(),
    ]
    .into_iter()
    // Usable in servers and in DMs with the bot.
    .map(|c| {
        c.integration_types(vec![InstallationContext::Guild])
            .contexts(vec![InteractionContext::Guild, InteractionContext::BotDm])
    })
    // Server administration and team lobbies only make sense in a server (they set
    // their own contexts).
    .chain(
        [questions::register(), team::register()]
            .map(|c| c.integration_types(vec![InstallationContext::Guild])),
    )
    .collect()
}

/// Registers the commands where they differ from what Discord has: in the
/// development guilds when configured, else globally.
pub async fn register(http: &Http, dev_guild_ids: &[u64]) -> Result<registration::Registered> {
    registration::sync(http, dev_guild_ids, all()).await
}

/// Runs a slash command.
pub async fn run(ctx: &Ctx, state: &State, command: &CommandInteraction) -> Result<()> {
    match command.data.name.as_str() {
        recommend::NAME => recommend::run(ctx, state, command).await,
        frameworks::NAME => frameworks::run(ctx, state, command).await,
        framework::NAME => framework::run(ctx, state, command).await,
        compare::NAME => compare::run(ctx, state, command).await,
        criteria::NAME => criteria::run(ctx, state, command).await,
        help::NAME => help::run(ctx, state, command).await,
        history::NAME => history::run(ctx, state, command).await,
        forget::NAME => forget::run(ctx, state, command).await,
        questions::NAME => questions::run(ctx, state, command).await,
        team::NAME => team::run(ctx, state, command).await,
        other => {
            warn!(
                command = other,
                "unknown command (registered by an older version?)"
            );
            respond(
                ctx,
                command,
                Reply::notice("I don't know that command any more; try `/help`."),
                true,
            )
            .await
        }
    }
}

/// Answers an autocomplete request.
pub async fn autocomplete(ctx: &Ctx, state: &State, command: &CommandInteraction) -> Result<()> {
    let Some(focused) = command.data.autocomplete() else {
        return Ok(());
    };
    let choices = match command.data.name.as_str() {
        recommend::NAME | team::NAME => {
            recommend::autocomplete(state, command.guild_id.map(|g| g.get()), focused.value).await?
        }
        questions::NAME => {
            questions::autocomplete(state, command.guild_id.map(|g| g.get()), focused.value).await?
        }
        framework::NAME | compare::NAME => {
            framework_choices(&state.sessions.catalogue, focused.value)
        }
        _ => Vec::new(),
    };
    ctx.respond(command.into(), Response::Autocomplete(choices))
        .await
        .context("autocomplete response failed")
}

/// Frameworks whose id or name contains what was typed (at most 25, Discord's limit).
fn framework_choices(catalogue: &Catalogue, typed: &str) -> Vec<AutocompleteChoice> {
    let wanted = normalise(typed);
    catalogue
        .frameworks
        .iter()
        .filter(|f| normalise(&f.name).contains(&wanted) || f.id.as_str().contains(&wanted))
        .take(25)
        .map(|f| AutocompleteChoice::new(f.name.clone(), f.id.to_string()))
        .collect()
}

/// A top-level option's resolved value.
fn option<'a>(command: &'a CommandInteraction, name: &str) -> Option<ResolvedValue<'a>> {
    command
        .data
        .options()
        .into_iter()
        .find(|o| o.name == name)
        .map(|o| o.value)
}

/// A string option's value.
fn string_option<'a>(command: &'a CommandInteraction, name: &str) -> Option<&'a str> {
    match option(command, name)? {
        ResolvedValue::String(s) => Some(s),
        _ => None,
    }
}

/// A boolean option's value.
fn bool_option(command: &CommandInteraction, name: &str) -> Option<bool> {
    match option(command, name)? {
        ResolvedValue::Boolean(b) => Some(b),
        _ => None,
    }
}

/// The answer to a framework name the catalogue doesn't know.
fn unknown_framework(catalogue: &Catalogue, typed: &str) -> Reply {
    let known: Vec<&str> = catalogue
        .frameworks
        .iter()
        .map(|f| f.name.as_str())
        .collect();
    Reply::notice(format!(
        "I don't know “{}”. The guide covers: {}.",
        super::render::clip(typed, 100),
        known.join(", ")
    ))
}

/// Sends a new response message; ephemeral when asked and in a server.
async fn respond(
    ctx: &Ctx,
    command: &CommandInteraction,
    reply: Reply,
    ephemeral: bool,
) -> Result<()> {
    let ephemeral = ephemeral && command.guild_id.is_some();
    ctx.respond(command.into(), Response::message(reply, ephemeral))
        .await
        .context("the command response was refused")
}
