//! `/questions …`: server admins manage their question sets — list, show, upload,
//! use, preview, export, versions, rollback, remove, reset, panel, settings.
//!
//! Registered with Manage Server as the default permission AND checked on every
//! invocation from the member's resolved permissions, so a channel overwrite or an
//! outdated client can't let anyone else in. Every reply is ephemeral.

mod server;
mod show;
mod upload;
mod versions;

pub use show::page;
pub use upload::confirm;

use std::sync::Arc;

use anyhow::{Context as _, Result};
use serenity::all::{
    ChannelType, CommandInteraction, CommandOptionType, ComponentInteraction, CreateCommand,
    CreateCommandOption, InteractionContext, Permissions, ResolvedOption, ResolvedValue,
};
use tracing::{info, warn};

use super::super::custom_id::session_id;
use super::super::render::{self, Reply};
use super::super::State;
use crate::coverage;
use crate::discord::{Ctx, Response};
use crate::ids::SetId;
use crate::questionnaire::QuestionSet;

/// The command's name.
pub const NAME: &str = "questions";
/// Questions per page of `/questions show` (the embed is cut to 6000 characters).
const PER_PAGE: usize = 4;

/// Registration: server-only, Manage Server by default.
pub fn register() -> CreateCommand {
    let set = |description: &str| {
        CreateCommandOption::new(CommandOptionType::String, "set", description)
            .required(true)
            .set_autocomplete(true)
    };
    let sub = |name: &str, description: &str| {
        CreateCommandOption::new(CommandOptionType::SubCommand, name, description)
    };
    CreateCommand::new(NAME)
        .description("Manage this server's question sets (Manage Server)")
        .default_member_permissions(Permissions::MANAGE_GUILD)
        .contexts(vec![InteractionContext::Guild])
        .add_option(sub(
            "list",
            "Built-in and server question sets; the active one marked",
        ))
        .add_option(
            sub("show", "A set's questions, options and effects")
                .add_sub_option(set("The set to show")),
        )
        .add_option(
            sub("upload", "Upload a question set (.toml, up to 64 KiB)")
                .add_sub_option(
                    CreateCommandOption::new(
                        CommandOptionType::Attachment,
                        "file",
                        "The .toml file",
                    )
                    .required(true),
                )
                .add_sub_option(CreateCommandOption::new(
                    CommandOptionType::Boolean,
                    "activate",
                    "Make it the set /recommend uses here",
                )),
        )
        .add_option(
            sub("use", "Choose the set /recommend uses in this server")
                .add_sub_option(set("The set")),
        )
        .add_option(
            sub(
                "preview",
                "Answer a set yourself and see the weights it produces",
            )
            .add_sub_option(set("The set")),
        )
        .add_option(sub("export", "Download a set as a .toml file").add_sub_option(set("The set")))
        .add_option(
            sub("versions", "Every stored version of a server set").add_sub_option(set("The set")),
        )
        .add_option(
            sub("rollback", "Restore an earlier version of a server set")
                .add_sub_option(set("The set"))
                .add_sub_option(
                    CreateCommandOption::new(
                        CommandOptionType::Integer,
                        "version",
                        "The version to restore",
                    )
                    .required(true)
                    .min_int_value(1),
                ),
        )
        .add_option(
            sub("remove", "Remove a server set (its versions are kept)")
                .add_sub_option(set("The set")),
        )
        .add_option(sub("reset", "Go back to the built-in default set"))
        .add_option(
            sub("panel", "Post a “Find my framework” button anyone can use")
                .add_sub_option(
                    CreateCommandOption::new(
                        CommandOptionType::Channel,
                        "channel",
                        "Where to post it (default: here)",
                    )
                    .channel_types(vec![ChannelType::Text]),
                )
                .add_sub_option(
                    CreateCommandOption::new(
                        CommandOptionType::String,
                        "set",
                        "A set for this panel (default: the server's active set)",
                    )
                    .set_autocomplete(true),
                ),
        )
        .add_option(
            sub(
                "settings",
                "Result logging, visibility, deleting the server's data",
            )
            .add_sub_option(
                CreateCommandOption::new(
                    CommandOptionType::Channel,
                    "log_channel",
                    "Log completed recommendations here",
                )
                .channel_types(vec![ChannelType::Text]),
            )
            .add_sub_option(CreateCommandOption::new(
                CommandOptionType::Boolean,
                "stop_logging",
                "Stop logging results",
            ))
            .add_sub_option(CreateCommandOption::new(
                CommandOptionType::Boolean,
                "public_results",
                "Post each finished result in the channel too",
            ))
            .add_sub_option(CreateCommandOption::new(
                CommandOptionType::Boolean,
                "delete_server_data",
                "Delete all of this server's data (asks for a confirmation first)",
            )),
        )
}

/// Whether the member may manage sets: Manage Server or Administrator, as resolved
/// by Discord for this channel.
pub fn is_allowed(permissions: Option<Permissions>) -> bool {
    permissions.is_some_and(|p| p.manage_guild() || p.administrator())
}

/// Runs a subcommand after checking the member's permissions.
pub async fn run(ctx: &Ctx, state: &State, command: &CommandInteraction) -> Result<()> {
    let Some(guild) = command.guild_id.map(|g| g.get()) else {
        return super::respond(
            ctx,
            command,
            Reply::notice("Question sets are managed in a server."),
            true,
        )
        .await;
    };
    if !is_allowed(command.member.as_ref().and_then(|m| m.permissions)) {
        info!("refused /questions to a member without Manage Server");
        let text = "Only members with the **Manage Server** permission can manage question sets. Nothing was changed.";
        return super::respond(ctx, command, Reply::notice(text), true).await;
    }
    let options = command.data.options();
    let Some(ResolvedOption {
        name,
        value: ResolvedValue::SubCommand(args),
        ..
    }) = options.first()
    else {
        return super::respond(
            ctx,
            command,
            Reply::notice("Pick a subcommand, e.g. `/questions list`."),
            true,
        )
        .await;
    };
    let arg = |key: &str| args.iter().find(|o| o.name == key).map(|o| &o.value);
    let text_arg = |key: &str| match arg(key) {
        Some(ResolvedValue::String(s)) => Some(*s),
        _ => None,
    };
    let bool_arg = |key: &str| match arg(key) {
        Some(ResolvedValue::Boolean(b)) => Some(*b),
        _ => None,
    };
    let set_id = text_arg("set").map(SetId::from);
    let user = command.user.id.get();
    let reply = match *name {
        "list" => show::list(state, guild).await?,
        "show" => show::show(state, guild, set_id.as_ref(), 0).await?,
        "upload" => {
            let Some(ResolvedValue::Attachment(file)) = arg("file") else {
                return super::respond(
                    ctx,
                    command,
                    Reply::notice("Attach the .toml file to upload."),
                    true,
                )
                .await;
            };
            // Downloading can take a while: acknowledge first, then edit.
            ctx.respond(command.into(), Response::Defer { ephemeral: true })
                .await
                .context("could not defer the upload")?;
            let upload_id = session_id(command.id.get());
            let activate = bool_arg("activate").unwrap_or(false);
            let reply = upload::upload(state, (guild, user, upload_id), file, activate).await?;
            super::super::edit_original(ctx, &command.token, reply)
                .await
                .context("could not answer the upload")?;
            return Ok(());
        }
        "use" => versions::use_set(state, guild, set_id.as_ref()).await?,
        "preview" => return versions::preview(ctx, state, command, guild, set_id.as_ref()).await,
        "export" => return versions::export(ctx, state, command, guild, set_id.as_ref()).await,
        "versions" => versions::versions(state, guild, set_id.as_ref()).await?,
        "rollback" => {
            let version = match arg("version") {
                Some(ResolvedValue::Integer(v)) => u32::try_from(*v).unwrap_or(0),
                _ => 0,
            };
            versions::rollback(state, guild, user, set_id.as_ref(), version).await?
        }
        "remove" => versions::remove(state, guild, user, set_id.as_ref()).await?,
        "reset" => {
            state.sessions.set_active(guild, None).await?;
            Reply::notice(
                "`/recommend` now uses the built-in default set again. Server sets are kept.",
            )
        }
        "panel" => {
            let channel = match arg("channel") {
                Some(ResolvedValue::Channel(c)) => c.id,
                _ => command.channel_id,
            };
            match set_id {
                Some(id) if find(state, guild, Some(&id)).await?.is_none() => {
                    unknown_set(state, guild, Some(&id)).await?
                }
                set => server::panel(ctx, channel, set).await?,
            }
        }
        // Asks first; the other settings of the same call are not applied.
        "settings" if bool_arg("delete_server_data") == Some(true) => {
            super::forget::server_confirmation()
        }
        "settings" => {
            server::settings(
                state,
                guild,
                arg("log_channel"),
                bool_arg("stop_logging"),
                bool_arg("public_results"),
            )
            .await?
        }
        other => Reply::notice(format!("Unknown subcommand `{other}`.")),
    };
    super::respond(ctx, command, reply, true).await
}

/// Suggests sets for the `set` options.
pub async fn autocomplete(
    state: &State,
    guild: Option<u64>,
    typed: &str,
) -> Result<Vec<serenity::all::AutocompleteChoice>> {
    super::recommend::autocomplete(state, guild, typed).await
}

pub(super) async fn find(
    state: &State,
    guild: u64,
    set_id: Option<&SetId>,
) -> Result<Option<Arc<QuestionSet>>> {
    match set_id {
        Some(id) => Ok(state
            .sessions
            .find_set(Some(guild), id)
            .await?
            .map(|r| r.set)),
        None => Ok(None),
    }
}

pub(super) async fn unknown_set(
    state: &State,
    guild: u64,
    set_id: Option<&SetId>,
) -> Result<Reply> {
    let known: Vec<String> = state
        .sessions
        .sets_for(Some(guild))
        .await?
        .keys()
        .map(|k| format!("`{k}`"))
        .collect();
    let name = set_id.map_or("(none)".to_owned(), |s| render::clip(s.as_str(), 40));
    Ok(Reply::notice(format!(
        "There is no set `{name}` here. Available: {}.",
        known.join(", ")
    )))
}

/// Most characters of the coverage block in an upload summary or a preview.
const COVERAGE_MAX: usize = 1500;

/// A set's coverage, compactly (who wins how often, how often a one-language team
/// gets its own framework, the warnings), computed off the async threads.
pub(super) async fn coverage_summary(state: &State, set: &QuestionSet) -> String {
    let catalogue = state.sessions.catalogue.clone();
    let set = set.clone();
    let computed = tokio::task::spawn_blocking(move || {
        coverage::coverage(&catalogue, &set, &coverage::Options::COMPACT)
            .map(|report| report.compact(&catalogue))
    })
    .await;
    let text = match computed {
        Ok(Ok(lines)) => format!("**Coverage** {}", lines.join("\n")),
        Ok(Err(e)) => format!("**Coverage**: not computed ({e})."),
        Err(e) => {
            warn!(error = %e, "the coverage computation failed");
            "**Coverage**: not computed.".to_owned()
        }
    };
    render::clip(&text, COVERAGE_MAX)
}

pub(super) async fn update(ctx: &Ctx, click: &ComponentInteraction, reply: Reply) -> Result<()> {
    ctx.respond(click.into(), Response::Update(reply))
        .await
        .context("could not update the message")
}
