//! `/framework name`: one framework's ratings with our reasoning.

use anyhow::Result;
use serenity::all::{CommandInteraction, CommandOptionType, CreateCommand, CreateCommandOption};

use super::super::{render, State};
use crate::discord::Ctx;

/// The command's name.
pub const NAME: &str = "framework";

/// Registration.
pub fn register() -> CreateCommand {
    CreateCommand::new(NAME)
        .description("One framework's rating on each criterion, and why")
        .add_option(
            CreateCommandOption::new(
                CommandOptionType::String,
                "name",
                "The framework, e.g. Phoenix",
            )
            .required(true)
            .set_autocomplete(true),
        )
}

/// Shows the framework, or the list of known names when it is unknown.
pub async fn run(ctx: &Ctx, state: &State, command: &CommandInteraction) -> Result<()> {
    let typed = super::string_option(command, "name").unwrap_or_default();
    let reply = match state.sessions.catalogue.find_framework(typed) {
        Some((_, framework)) => render::framework_detail(&state.sessions.catalogue, framework),
        None => super::unknown_framework(&state.sessions.catalogue, typed),
    };
    super::respond(ctx, command, reply, true).await
}
