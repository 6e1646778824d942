//! `/compare a b`: two frameworks side by side, criterion by criterion.

use anyhow::Result;
use serenity::all::{CommandInteraction, CommandOptionType, CreateCommand, CreateCommandOption};

use super::super::{render, Reply, State};
use crate::discord::Ctx;

/// The command's name.
pub const NAME: &str = "compare";

/// Registration.
pub fn register() -> CreateCommand {
    let option = |name: &str, description: &str| {
        CreateCommandOption::new(CommandOptionType::String, name, description)
            .required(true)
            .set_autocomplete(true)
    };
    CreateCommand::new(NAME)
        .description("Compare two frameworks criterion by criterion")
        .add_option(option("a", "The first framework"))
        .add_option(option("b", "The second framework"))
}

/// Shows the comparison, or says which name is unknown.
pub async fn run(ctx: &Ctx, state: &State, command: &CommandInteraction) -> Result<()> {
    let catalogue = &state.sessions.catalogue;
    let a = super::string_option(command, "a").unwrap_or_default();
    let b = super::string_option(command, "b").unwrap_or_default();
    let reply = match (catalogue.find_framework(a), catalogue.find_framework(b)) {
        (Some((i, fa)), Some((j, fb))) if i != j => render::compare(catalogue, fa, fb),
        (Some(_), Some(_)) => Reply::notice("Pick two different frameworks to compare."),
        (found_a, _) => {
            let unknown = if found_a.is_none() { a } else { b };
            super::unknown_framework(catalogue, unknown)
        }
    };
    super::respond(ctx, command, reply, true).await
}
