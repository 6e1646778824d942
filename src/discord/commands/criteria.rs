//! `/criteria`: what each criterion means and which questions move it.

use anyhow::Result;
use serenity::all::{CommandInteraction, CreateCommand};

use super::super::{render, State};
use crate::discord::Ctx;

/// The command's name.
pub const NAME: &str = "criteria";

/// Registration.
pub fn register() -> CreateCommand {
    CreateCommand::new(NAME)
        .description("What the guide's seven criteria mean and which questions move them")
}

/// Shows the criteria against the set `/recommend` uses here.
pub async fn run(ctx: &Ctx, state: &State, command: &CommandInteraction) -> Result<()> {
    let set = state
        .sessions
        .active_set(command.guild_id.map(|g| g.get()))
        .await?;
    super::respond(
        ctx,
        command,
        render::criteria(&state.sessions.catalogue, &set),
        true,
    )
    .await
}
