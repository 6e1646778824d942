//! The Discord adapter: slash commands, the button-driven questionnaire and DM
//! conversations, all driving the core's conversation state machine.
//!
//! Clicks are handled globally from their custom_id (see [`custom_id`]) and the
//! conversation lives in the [`Storage`](crate::store::Storage), so nothing
//! is lost when the bot restarts.

mod commands;
pub mod custom_id;
mod dm;
mod flow;
mod render;
mod respond;

use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context as _, Result};
use serenity::all::{
    ChannelId, Client, ClientBuilder, Context, EventHandler, GatewayIntents, GuildId, HttpBuilder,
    Interaction, Message, Ready,
};
use serenity::async_trait;
use tracing::{error, info, info_span, warn, Instrument};

use crate::config::Config;
use crate::guide::Catalogue;
use crate::session::{Library, Sessions};
use crate::store::Storage;

pub use crate::session::Resolved;
pub use render::Reply;
pub use respond::{Ctx, Response, Target};

/// Everything the handlers share; one value, no globals.
pub struct State {
    /// The conversation service (catalogue, sets, store) every transport drives.
    pub sessions: Sessions,
    /// Guilds to register commands in instead of globally.
    pub dev_guild_ids: Vec<u64>,
}

impl State {
    /// Builds the shared state: catalogue, the built-in sets and those of the
    /// configured folder (a broken file stops the start with its problems listed).
    pub fn new(config: &Config, catalogue: Catalogue, store: Arc<dyn Storage>) -> Result<State> {
        let library = Library::load(&catalogue, config.questions_dir.as_deref())?;
        Ok(State {
            sessions: Sessions::new(catalogue, library, store, config.idle_timeout),
            dev_guild_ids: config.dev_guild_ids.clone(),
        })
    }
}

/// Builds the serenity client: REST through `proxy_url` when set (with serenity's
/// rate limiter off, the proxy's job), the gateway URL discovered through it.
pub async fn client(config: &Config, state: Arc<State>) -> Result<Client> {
    let Some(token) = &config.token else {
        bail!("no Discord token: set DISCORD_TOKEN or `token` in config.toml");
    };
    let mut http = HttpBuilder::new(token.expose());
    if let Some(proxy) = &config.proxy_url {
        http = http.proxy(proxy.as_str()).ratelimiter_disabled(true);
    }
    if let Some(id) = config.application_id {
        http = http.application_id(id.into());
    }
    let intents = GatewayIntents::DIRECT_MESSAGES;
    let purge = Arc::clone(&state);
    let client = ClientBuilder::new_with_http(http.build(), intents)
        .event_handler(Handler { state })
        .await
        // serenity's error text never contains the token.
        .context("could not create the Discord client")?;
    tokio::spawn(purge_idle_sessions(purge));
    Ok(client)
}

/// Uploads waiting for confirmation are dropped after this long.
const PENDING_UPLOAD_LIFETIME: Duration = Duration::from_secs(24 * 60 * 60);

/// Deletes idle conversations and stale upload confirmations once a minute.
async fn purge_idle_sessions(state: Arc<State>) {
    let mut tick = tokio::time::interval(Duration::from_secs(60));
    loop {
        tick.tick().await;
        let cutoff = crate::store::now_ms().saturating_sub(millis(state.sessions.idle_timeout));
        match state.sessions.store.purge_idle(cutoff).await {
            Ok(0) => {}
            Ok(n) => info!(count = n, "expired idle conversations"),
            Err(e) => warn!(
                error = format!("{e:#}"),
                "could not purge idle conversations"
            ),
        }
        let cutoff = crate::store::now_ms().saturating_sub(millis(PENDING_UPLOAD_LIFETIME));
        if let Err(e) = state.sessions.store.purge_pending(cutoff).await {
            warn!(
                error = format!("{e:#}"),
                "could not purge old upload confirmations"
            );
        }
    }
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

/// Runs the bot until the gateway connection ends.
pub async fn serve(config: &Config, state: Arc<State>) -> Result<()> {
    let mut client = client(config, state).await?;
    let shards = client.shard_manager.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            info!("shutting down");
            shards.shutdown_all().await;
        }
    });
    client
        .start()
        .await
        .context("the Discord connection failed")
}

/// serenity's event handler: routes events to the command, component and DM handlers.
struct Handler {
    state: Arc<State>,
}

#[async_trait]
impl EventHandler for Handler {
    async fn ready(&self, ctx: Context, ready: Ready) {
        info!(user = %ready.user.name, "connected to Discord");
        if let Err(e) = commands::register(&Ctx::rest(Arc::clone(&ctx.http)), &self.state).await {
            error!(
                error = format!("{e:#}"),
                "registering slash commands failed"
            );
        }
    }

    async fn interaction_create(&self, ctx: Context, interaction: Interaction) {
        handle(&Ctx::rest(Arc::clone(&ctx.http)), &self.state, &interaction).await;
    }

    async fn message(&self, ctx: Context, message: Message) {
        if message.guild_id.is_some() || message.author.bot {
            return;
        }
        let span = info_span!("dm", id = %message.id, user = %message.author.id);
        async {
            let ctx = Ctx::rest(Arc::clone(&ctx.http));
            if let Err(e) = dm::message(&ctx, &self.state, &message).await {
                error!(error = format!("{e:#}"), "DM handling failed");
                let sorry = Reply::notice(
                    "Sorry, something went wrong on my side. Please try again in a moment.",
                );
                if let Err(e) = message
                    .channel_id
                    .send_message(&ctx.http, sorry.into_message())
                    .await
                {
                    warn!(error = %e, "could not send the apology either");
                }
            }
        }
        .instrument(span)
        .await;
    }
}

/// Handles one interaction from any transport, in its own tracing span; a failure is
/// logged with its cause and the user gets a short apology.
pub async fn handle(ctx: &Ctx, state: &State, interaction: &Interaction) {
    let (id, user, guild, name) = match interaction {
        Interaction::Command(c) | Interaction::Autocomplete(c) => {
            (c.id, c.user.id, c.guild_id, c.data.name.as_str())
        }
        Interaction::Component(c) => (c.id, c.user.id, c.guild_id, c.data.custom_id.as_str()),
        _ => return,
    };
    let span = info_span!("interaction", id = %id, user = %user, guild = ?guild.map(GuildId::get), command = %name);
    async {
        let outcome = match interaction {
            Interaction::Command(command) => commands::run(ctx, state, command).await,
            Interaction::Autocomplete(command) => commands::autocomplete(ctx, state, command).await,
            Interaction::Component(click) => flow::click(ctx, state, click).await,
            _ => Ok(()),
        };
        if let Err(e) = outcome {
            error!(error = format!("{e:#}"), "interaction failed");
            apologise(ctx, interaction).await;
        }
    }
    .instrument(span)
    .await;
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
    let response = Response::message(Reply::notice(text), true);
    if ctx.respond(target, response).await.is_ok() {
        return;
    }
    let followup = Reply::notice(text).into_followup().ephemeral(true);
    if let Err(e) = ctx
        .http
        .create_followup_message(token, &followup, Vec::new())
        .await
    {
        warn!(error = %e, "could not tell the user about the failure");
    }
}

/// Whether a serenity error is Discord's "cannot send messages to this user" (50007).
fn is_dm_closed(error: &serenity::Error) -> bool {
    matches!(
        error,
        serenity::Error::Http(serenity::http::HttpError::UnsuccessfulRequest(response))
            if response.error.code == 50007
    )
}

/// Sends a message to a channel (DMs), with no mentions.
async fn send(ctx: &Ctx, channel: ChannelId, reply: Reply) -> Result<(), serenity::Error> {
    channel
        .send_message(&ctx.http, reply.into_message())
        .await
        .map(|_| ())
}
