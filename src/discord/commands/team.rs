//! `/team [set]`: opens a team lobby in a server channel. A command of its own rather
//! than an option of `/recommend`: it only makes sense in a server (Discord doesn't
//! offer it in DMs), it posts publicly where `/recommend` is private, and
//! `/recommend`'s `dm` option has no meaning for it.

use anyhow::{Context as _, Result};
use serenity::all::{
    CommandInteraction, CommandOptionType, CreateCommand, CreateCommandOption, InteractionContext,
};
use tracing::warn;

use super::super::custom_id::session_id;
use super::super::{render, team, Reply, State};
use crate::discord::{Ctx, Response};
use crate::ids::SetId;

/// The command's name.
pub const NAME: &str = "team";

/// Registration: servers only.
pub fn register() -> CreateCommand {
    CreateCommand::new(NAME)
        .description("Team mode: everyone answers privately, then the team decides together")
        .add_option(
            CreateCommandOption::new(
                CommandOptionType::String,
                "set",
                "Which question set the team answers (default: the server's)",
            )
            .set_autocomplete(true),
        )
        .contexts(vec![InteractionContext::Guild])
}

/// Opens the lobby: stored first, then posted publicly; its message is remembered so
/// members finishing can update it.
pub async fn run(ctx: &Ctx, state: &State, command: &CommandInteraction) -> Result<()> {
    let Some(guild) = command.guild_id.map(|g| g.get()) else {
        let text = "Team mode needs a server channel: run `/team` there, with your team.";
        return super::respond(ctx, command, Reply::notice(text), true).await;
    };
    let sessions = &state.sessions;
    let set = match super::string_option(command, "set") {
        None => sessions.active_set(Some(guild)).await?,
        Some(id) => match sessions.find_set(Some(guild), &SetId::from(id)).await? {
            Some(set) => set,
            None => {
                let text = format!(
                    "There is no question set “{}”. Run `/team` without a set to use the server's.",
                    render::clip(id, 100)
                );
                return super::respond(ctx, command, Reply::notice(text), true).await;
            }
        },
    };
    let lobby = sessions
        .open_lobby(
            &set,
            session_id(command.id.get()),
            (guild, command.channel_id.get()),
            command.user.id.get(),
        )
        .await?;
    let reply = team::lobby_reply(state, &lobby).await;
    ctx.respond(command.into(), Response::message(reply, false))
        .await
        .context("could not post the team lobby")?;
    // The message id comes with the posted message.
    match command.get_response(&ctx.http).await {
        Ok(message) => {
            if let Err(refusal) = sessions.lobby_posted(&lobby.id, message.id.get()).await? {
                warn!(lobby = %lobby.id, ?refusal, "the team lobby closed before its message was known");
            }
        }
        Err(e) => {
            warn!(error = %e, lobby = %lobby.id, "could not read the team lobby message; it will update on clicks only")
        }
    }
    Ok(())
}
