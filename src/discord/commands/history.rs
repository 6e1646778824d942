//! `/history`: the user's recent recommendations, each shown again from storage with
//! the question-set and guide version it was made with.

use anyhow::{Context as _, Result};
use serenity::all::{
    CommandInteraction, ComponentInteraction, CreateActionRow, CreateCommand, CreateEmbed,
    CreateSelectMenu, CreateSelectMenuKind, CreateSelectMenuOption,
};

use super::super::custom_id::Other;
use super::super::render::{self, Reply};
use super::super::State;
use crate::discord::{Ctx, Response};
use crate::store::StoredResult;
use crate::text;

/// The command's name.
pub const NAME: &str = "history";
/// How many results are listed.
const RECENT: usize = 10;

/// Registration.
pub fn register() -> CreateCommand {
    CreateCommand::new(NAME).description("Your recent recommendations")
}

fn headline(state: &State, result: &StoredResult) -> String {
    let winner = result
        .recommendation
        .winner()
        .map_or("no framework fitted", |w| {
            text::framework_name(&state.sessions.catalogue, w)
        });
    format!("{winner} · {} v{}", result.set_title, result.set_version)
}

/// Lists recent results with a menu to open one in full.
pub async fn run(ctx: &Ctx, state: &State, command: &CommandInteraction) -> Result<()> {
    let results = state
        .sessions
        .store
        .recent_results(command.user.id.get(), RECENT)
        .await?;
    if results.is_empty() {
        return super::respond(
            ctx,
            command,
            Reply::notice("You have no recommendations yet. Run `/recommend` to get one."),
            true,
        )
        .await;
    }
    let lines: Vec<String> = results
        .iter()
        .map(|r| {
            format!(
                "<t:{}:d> — {} (guide {})",
                r.created_at_ms / 1000,
                headline(state, r),
                r.recommendation.guide_version
            )
        })
        .collect();
    let options = results
        .iter()
        .map(|r| {
            CreateSelectMenuOption::new(render::clip(&headline(state, r), 100), r.id.to_string())
        })
        .collect();
    let menu = CreateSelectMenu::new(
        Other::History.to_string(),
        CreateSelectMenuKind::String { options },
    )
    .placeholder("Open one in full…");
    let mut reply = Reply::embed(
        CreateEmbed::new()
            .title("Your recent recommendations")
            .description(lines.join("\n")),
    );
    reply.components = vec![CreateActionRow::SelectMenu(menu)];
    super::respond(ctx, command, reply, true).await
}

/// The menu: shows one stored result exactly as it was computed.
pub async fn open(ctx: &Ctx, state: &State, click: &ComponentInteraction, id: &str) -> Result<()> {
    let results = state
        .sessions
        .store
        .recent_results(click.user.id.get(), RECENT)
        .await?;
    let reply = match results.iter().find(|r| r.id.to_string() == id) {
        Some(r) => render::with_chart(
            Reply::embed(render::result_embed(
                &state.sessions.catalogue,
                (&r.set_title, r.set_version),
                &r.recommendation,
                false,
            )),
            &state.sessions.catalogue,
            &r.recommendation,
        ),
        None => Reply::notice("That result is no longer in your recent history."),
    };
    ctx.respond(click.into(), Response::message(reply, true))
        .await
        .context("could not show the stored result")
}
