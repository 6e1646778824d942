//! `/help`: what the bot does and how to use it.

use anyhow::Result;
use serenity::all::{CommandInteraction, CreateCommand};

use super::super::{render, State};
use crate::discord::Ctx;
use crate::questionnaire::QuestionSet;

/// The command's name.
pub const NAME: &str = "help";

/// Registration.
pub fn register() -> CreateCommand {
    CreateCommand::new(NAME).description("What stackpick does and how to use it")
}

/// Shows the help.
pub async fn run(ctx: &Ctx, state: &State, command: &CommandInteraction) -> Result<()> {
    let sets = state
        .sessions
        .sets_for(command.guild_id.map(|g| g.get()))
        .await?;
    let sets: Vec<&QuestionSet> = sets.values().map(|s| s.as_ref()).collect();
    super::respond(ctx, command, render::help(&sets), true).await
}
