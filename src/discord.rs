//! The Discord adapter: slash commands, the button-driven questionnaire and DM
//! conversations, all driving the core's conversation state machine.
//!
//! Clicks are handled globally from their custom_id (see [`custom_id`]) and the
//! conversation lives in the [`Storage`](crate::store::Storage), so nothing
//! is lost when the bot restarts.

pub mod app;
pub mod attachment;
mod commands;
mod conflict;
pub mod custom_id;
mod dm;
mod flow;
pub mod gateway;
pub mod http;
mod render;
mod respond;
mod retry;
mod team;

use std::sync::Arc;

use anyhow::Result;
use retry::Resend;
use serenity::all::{ChannelId, CreateInteractionResponseFollowup, GuildId, Interaction};
use serenity::builder::Builder as _;
use tracing::{error, info_span, warn, Instrument};

use crate::config::Config;
use crate::guide::Catalogue;
use crate::session::{Library, Sessions};
use crate::store::Storage;

pub use crate::session::Resolved;
pub use render::Reply;
pub use respond::{Ctx, Response, Target};
/// How many times the bot tries one REST call to Discord (see README "When Discord
/// misbehaves").
pub use retry::ATTEMPTS as RETRY_ATTEMPTS;

/// Registers the slash commands where they differ from what Discord has (see
/// `stackpick register`).
pub async fn register(http: &serenity::all::Http, dev_guild_ids: &[u64]) -> Result<String> {
    Ok(match commands::register(http, dev_guild_ids).await? {
        commands::registration::Registered::Unchanged => {
            "The slash commands are already up to date; nothing was sent.".to_owned()
        }
        commands::registration::Registered::Updated => "Registered the slash commands.".to_owned(),
    })
}

/// Everything the handlers share; one value, no globals.
pub struct State {
    /// The conversation service (catalogue, sets, store) every transport drives.
    pub sessions: Sessions,
    /// Guilds to register commands in instead of globally.
    pub dev_guild_ids: Vec<u64>,
    /// Downloads attached files, within limits.
    pub downloader: attachment::Downloader,
}

impl State {
    /// Builds the shared state: catalogue, the built-in sets and those of the
    /// configured folder (a broken file stops the start with its problems listed).
    pub fn new(config: &Config, catalogue: Catalogue, store: Arc<dyn Storage>) -> Result<State> {
        let library = Library::load(&catalogue, config.questions_dir.as_deref())?;
        let mut sessions = Sessions::new(catalogue, library, store, config.idle_timeout);
        sessions.lobby_lifetime = config.team_lobby_lifetime;
        Ok(State {
            sessions,
            dev_guild_ids: config.dev_guild_ids.clone(),
            downloader: attachment::Downloader::new(&config.attachments)?,
        })
    }
}

/// Handles one interaction from any transport, in its own tracing span; a failure is
/// logged with its cause and the user gets a short apology. Records the interaction's
/// metrics; returns whether it succeeded.
pub async fn handle(ctx: &Ctx, state: &State, interaction: &Interaction) -> bool {
    let started = std::time::Instant::now();
    let (id, user, guild, name) = match interaction {
        Interaction::Command(c) | Interaction::Autocomplete(c) => {
            (c.id, c.user.id, c.guild_id, c.data.name.as_str())
        }
        Interaction::Component(c) => (c.id, c.user.id, c.guild_id, c.data.custom_id.as_str()),
        _ => return true,
    };
    let kind = match interaction {
        Interaction::Command(_) => "command",
        Interaction::Autocomplete(_) => "autocomplete",
        _ => "component",
    };
    let span = info_span!("interaction", id = %id, user = %user, guild = ?guild.map(GuildId::get), command = %name);
    async {
        let outcome = match interaction {
            Interaction::Command(command) => commands::run(ctx, state, command).await,
            Interaction::Autocomplete(command) => commands::autocomplete(ctx, state, command).await,
            Interaction::Component(click) => flow::click(ctx, state, click).await,
            _ => Ok(()),
        };
        let ok = match outcome {
            Ok(()) => true,
            Err(e) => {
                error!(error = format!("{e:#}"), "interaction failed");
                apologise(ctx, interaction).await;
                false
            }
        };
        crate::ops::metrics::interaction(kind, if ok { "ok" } else { "error" }, started.elapsed());
        ok
    }
    .instrument(span)
    .await
}

/// Tells the user something went wrong, without internal details. Tries a new
/// response first; if the interaction was already acknowledged (a deferred command),
/// an ephemeral follow-up instead, so nobody is left looking at "thinking…".
async fn apologise(ctx: &Ctx, interaction: &Interaction) {
    let text = "Sorry, something went wrong on my side. Please try again in a moment.";
    let (target, token) = match interaction {
        Interaction::Command(c) => (Target::from(c), &c.token),
        Interaction::Component(c) => (Target::from(c), &c.token),
        _ => return,
    };
    if !ctx.answered() {
        let response = Response::message(Reply::notice(text), true);
        match ctx.respond(target, response).await {
            Ok(()) => return,
            // Discord has no response to follow up on.
            Err(e) if !ctx.answered() => {
                warn!(
                    error = format!("{e:#}"),
                    "could not tell the user about the failure"
                );
                return;
            }
            Err(_) => {}
        }
    }
    let followup = Reply::notice(text).into_followup().ephemeral(true);
    if let Err(e) = send_followup(ctx, token, followup).await {
        warn!(error = %e, "could not tell the user about the failure");
    }
}

/// Edits an interaction's `@original` message (sent again after a failure: an edit
/// can't duplicate anything).
async fn edit_original(ctx: &Ctx, token: &str, reply: Reply) -> Result<(), serenity::Error> {
    respond::edit_original(&ctx.http, token, reply, "an edit").await
}

/// Sends an interaction follow-up; sent again only if it surely did not reach Discord,
/// which can't deduplicate follow-ups.
async fn send_followup(
    ctx: &Ctx,
    token: &str,
    followup: CreateInteractionResponseFollowup,
) -> Result<(), serenity::Error> {
    retry::send("a follow-up", Resend::IfNotDelivered, || {
        followup.clone().execute(&*ctx.http, (None, token))
    })
    .await
    .map(|_| ())
}

/// Whether a serenity error is Discord's "cannot send messages to this user" (50007).
fn is_dm_closed(error: &serenity::Error) -> bool {
    matches!(
        error,
        serenity::Error::Http(serenity::http::HttpError::UnsuccessfulRequest(response))
            if response.error.code == 50007
    )
}

/// Sends a message to a channel (DMs), with no mentions. Sent again after a failure,
/// under a nonce Discord enforces: a repeat of a message that did get through returns
/// it instead of posting it twice.
async fn send(ctx: &Ctx, channel: ChannelId, reply: Reply) -> Result<(), serenity::Error> {
    let message = reply
        .into_message()
        .nonce(retry::nonce())
        .enforce_nonce(true);
    retry::send("a message", Resend::Always, || {
        channel.send_message(&ctx.http, message.clone())
    })
    .await
    .map(|_| ())
}
