//! `/frameworks`: the guide's overview with totals.

use anyhow::Result;
use serenity::all::{CommandInteraction, CreateCommand};

use super::super::{render, State};
use crate::discord::Ctx;

/// The command's name.
pub const NAME: &str = "frameworks";

/// Registration.
pub fn register() -> CreateCommand {
    CreateCommand::new(NAME)
        .description("The guide's seven frameworks with their ratings and totals")
}

/// Shows the overview (ephemeral in servers, to keep channels quiet).
pub async fn run(ctx: &Ctx, state: &State, command: &CommandInteraction) -> Result<()> {
    super::respond(
        ctx,
        command,
        render::frameworks_overview(&state.sessions.catalogue),
        true,
    )
    .await
}
