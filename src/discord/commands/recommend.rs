//! `/recommend [set] [dm]`: starts a questionnaire (ephemeral in servers), or moves it
//! to a DM when asked and possible.

use anyhow::{Context as _, Result};
use serenity::all::{
    AutocompleteChoice, CommandInteraction, CommandOptionType, CreateCommand, CreateCommandOption,
};
use tracing::info;

use super::super::custom_id::session_id;
use super::super::retry::Resend;
use super::super::{flow, is_dm_closed, render, send, Reply, Resolved, State};
use crate::discord::{Ctx, Response};
use crate::guide::normalise;
use crate::ids::SetId;
use crate::session::Place;

/// The command's name.
pub const NAME: &str = "recommend";

/// Registration.
pub fn register() -> CreateCommand {
    CreateCommand::new(NAME)
        .description("Answer a few questions and get the backend framework that fits your project")
        .add_option(
            CreateCommandOption::new(
                CommandOptionType::String,
                "set",
                "Which question set to use (default: the full one)",
            )
            .set_autocomplete(true),
        )
        .add_option(CreateCommandOption::new(
            CommandOptionType::Boolean,
            "dm",
            "Continue in a DM with me instead of here",
        ))
}

/// Sets whose id or title matches what was typed.
pub async fn autocomplete(
    state: &State,
    guild_id: Option<u64>,
    typed: &str,
) -> Result<Vec<AutocompleteChoice>> {
    let wanted = normalise(typed);
    Ok(state
        .sessions
        .sets_for(guild_id)
        .await?
        .values()
        .filter(|s| normalise(&s.title).contains(&wanted) || s.id.as_str().contains(&wanted))
        .take(25)
        .map(|s| {
            AutocompleteChoice::new(
                render::clip(&format!("{} ({})", s.title, s.id), 100),
                s.id.to_string(),
            )
        })
        .collect())
}

/// Starts the conversation and shows its first question.
pub async fn run(ctx: &Ctx, state: &State, command: &CommandInteraction) -> Result<()> {
    let guild = command.guild_id.map(|g| g.get());
    let set = match super::string_option(command, "set") {
        None => state.sessions.active_set(guild).await?,
        Some(id) => match state.sessions.find_set(guild, &SetId::from(id)).await? {
            Some(set) => set,
            None => {
                let known: Vec<String> = state
                    .sessions
                    .sets_for(guild)
                    .await?
                    .keys()
                    .map(|k| format!("`{k}`"))
                    .collect();
                let text = format!(
                    "There is no question set “{}”. Available: {}.",
                    render::clip(id, 100),
                    known.join(", ")
                );
                return super::respond(ctx, command, Reply::notice(text), true).await;
            }
        },
    };
    let user = command.user.id.get();
    let id = session_id(command.id.get());
    let wants_dm = guild.is_some() && super::bool_option(command, "dm").unwrap_or(false);

    if wants_dm {
        // Opening the DM and sending to it are two calls to Discord: acknowledge
        // first so the 3-second window can't run out, then edit in the answer.
        ctx.respond(command.into(), Response::Defer { ephemeral: true })
            .await
            .context("could not defer /recommend")?;
        let reply = move_to_dm(ctx, state, command, &set, id).await?;
        return super::super::edit_original(ctx, &command.token, reply)
            .await
            .context("could not answer /recommend");
    }

    // In a DM with the bot, typed replies work too.
    let place = Place {
        user_id: user,
        guild_id: guild,
        dm_channel_id: guild.is_none().then(|| command.channel_id.get()),
    };
    let current = state.sessions.start(&set, id, place, false).await?;
    super::respond(ctx, command, flow::current_view(state, &current)?, true).await
}

/// Starts the conversation in the user's DMs; when their DMs are closed, carries on
/// privately in the channel. Returns what to tell them in the channel.
async fn move_to_dm(
    ctx: &Ctx,
    state: &State,
    command: &CommandInteraction,
    set: &Resolved,
    id: String,
) -> Result<Reply> {
    // Opening a DM channel returns the same one every time: safe to repeat.
    let user = command.user.id;
    let channel = super::super::retry::send("opening a DM", Resend::Always, || {
        user.create_dm_channel(&ctx.http)
    })
    .await
    .context("could not open a DM channel")?;
    let place = Place {
        user_id: command.user.id.get(),
        guild_id: command.guild_id.map(|g| g.get()),
        dm_channel_id: Some(channel.id.get()),
    };
    let mut current = state.sessions.start(set, id.clone(), place, false).await?;
    match send(ctx, channel.id, flow::current_view(state, &current)?).await {
        Ok(()) => {
            info!(session = %id, "conversation moved to DMs");
            Ok(Reply::notice(
                "I've sent you a DM with the first question. ✉️",
            ))
        }
        Err(e) if is_dm_closed(&e) => {
            // Carry on here, privately, without typed replies.
            current.session.dm_channel_id = None;
            state.sessions.put(&current.session).await?;
            let mut reply = flow::current_view(state, &current)?;
            reply.content = Some("I can't send you DMs (they're closed for this server), so let's continue here. Only you can see this.".to_owned());
            Ok(reply)
        }
        Err(e) => Err(e).context("could not send the first question by DM"),
    }
}
