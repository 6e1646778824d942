//! The gateway: serenity's client for this process's shards, its REST client, and the
//! event handler that turns gateway events into interactions and DMs.

use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context as _, Result};
use serenity::all::{
    Client, ClientBuilder, ConnectionStage, Context, EventHandler, GatewayIntents, Guild, Http,
    HttpBuilder, Interaction, Message, Ready, ShardStageUpdateEvent, UnavailableGuild,
};
use serenity::async_trait;
use serenity::gateway::GatewayError;
use tracing::{error, info, info_span, warn, Instrument};

use super::respond::DEFER_AFTER;
use super::{commands, dm, handle, Ctx, State, Target};
use crate::config::{Config, Shards};
use crate::ops::{metrics, Drain};

/// How long opening a connection to Discord may take (at most the whole call's timeout).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Discord's REST client, with the configured timeout: through `proxy_url` when set (with serenity's rate limiter
/// off, the proxy's job), else straight to Discord.
pub fn http_client(config: &Config) -> Result<Http> {
    let Some(token) = &config.token else {
        bail!("no Discord token: set DISCORD_TOKEN or `token` in config.toml");
    };
    // serenity's default client has no timeout at all: a request Discord never answers
    // would hold its interaction forever. Same TLS backend as serenity's.
    let client = reqwest::Client::builder()
        .use_rustls_tls()
        .connect_timeout(config.discord_timeout.min(CONNECT_TIMEOUT))
        .timeout(config.discord_timeout)
        .build()
        .context("could not build the HTTP client")?;
    let mut http = HttpBuilder::new(token.expose()).client(client);
    if let Some(proxy) = &config.proxy_url {
        http = http.proxy(proxy.as_str()).ratelimiter_disabled(true);
    }
    if let Some(id) = config.application_id {
        http = http.application_id(id.into());
    }
    Ok(http.build())
}

/// Builds the gateway client (it asks Discord for the gateway URL, through the proxy
/// when set).
pub async fn client(config: &Config, state: Arc<State>, drain: Drain) -> Result<Client> {
    // GUILDS: to hear of the bot's removal from a server (GUILD_DELETE), when the
    // server's data is deleted.
    let intents = GatewayIntents::DIRECT_MESSAGES | GatewayIntents::GUILDS;
    ClientBuilder::new_with_http(http_client(config)?, intents)
        .event_handler(Handler { state, drain })
        .await
        // serenity's error text never contains the token.
        .context("could not create the Discord client")
}

/// Connects this process's shards and runs them until they are shut down.
pub async fn run(client: &mut Client, shards: Shards) -> Result<()> {
    let outcome = match shards {
        Shards::Auto => client.start_autosharded().await,
        Shards::Range {
            first,
            count,
            total,
        } => {
            // serenity 0.12 takes the range's end as the last shard to run (`4..7` runs
            // 4, 5, 6 and 7), so `first..first + count` would run one shard too many.
            let last = first.saturating_add(count.saturating_sub(1));
            client.start_shard_range(first..last, total).await
        }
    };
    match outcome {
        // Close code 4004: reconnecting can't help, and the operator must act.
        Err(serenity::Error::Gateway(GatewayError::InvalidAuthentication)) => bail!(
            "Discord rejected the bot token (gateway close code 4004, authentication \
             failed): set a valid DISCORD_TOKEN or `token` in config.toml"
        ),
        outcome => outcome.context("the Discord gateway connection failed"),
    }
}

/// serenity's event handler: routes events to the interaction and DM handlers.
struct Handler {
    state: Arc<State>,
    drain: Drain,
}

#[async_trait]
impl EventHandler for Handler {
    async fn ready(&self, _: Context, ready: Ready) {
        let shard = ready.shard.map(|s| s.id.0);
        info!(user = %ready.user.name, shard, "connected to Discord");
    }

    async fn shard_stage_update(&self, _: Context, event: ShardStageUpdateEvent) {
        metrics::shard(event.shard_id.0, event.new == ConnectionStage::Connected);
    }

    async fn interaction_create(&self, ctx: Context, interaction: Interaction) {
        // Shards close before draining, so this is rare: an event already on its way.
        let Some(_working) = self.drain.begin() else {
            warn!("an interaction arrived while shutting down; not handled");
            return;
        };
        let ctx = Ctx::gateway(Arc::clone(&ctx.http));
        let mut work = std::pin::pin!(handle(&ctx, &self.state, &interaction));
        // Like the HTTP endpoint: a handler that can't answer within Discord's 3 s
        // gets its interaction deferred, and finishes with an edit or a follow-up.
        if tokio::time::timeout(DEFER_AFTER, &mut work).await.is_err() {
            let slow = match &interaction {
                Interaction::Command(c) => Some((Target::from(c), "command")),
                Interaction::Autocomplete(c) => Some((Target::from(c), "autocomplete")),
                Interaction::Component(c) => Some((Target::from(c), "component")),
                _ => None,
            };
            // The handler keeps going meanwhile; its answer waits for the deferral.
            let defer = async {
                if let Some((target, kind)) = slow {
                    ctx.defer_if_slow(target, kind).await;
                }
            };
            tokio::join!(defer, work);
        }
    }

    /// The bot left or was removed from a server: its data goes. A server that is
    /// only unavailable (an outage: `unavailable: true`) keeps everything.
    async fn guild_delete(&self, _: Context, guild: UnavailableGuild, _: Option<Guild>) {
        if guild.unavailable {
            info!(guild = %guild.id, "a server is unavailable (outage); its data is kept");
            return;
        }
        let Some(_working) = self.drain.begin() else {
            return;
        };
        let span = info_span!("guild_delete", guild = %guild.id);
        let outcome =
            commands::forget::forget_guild(&self.state, guild.id.get(), "the bot was removed")
                .instrument(span)
                .await;
        if let Err(e) = outcome {
            error!(
                error = format!("{e:#}"),
                "could not delete a removed server's data"
            );
        }
    }

    async fn message(&self, ctx: Context, message: Message) {
        if message.guild_id.is_some() || message.author.bot {
            return;
        }
        let Some(_working) = self.drain.begin() else {
            return;
        };
        let started = std::time::Instant::now();
        let span = info_span!("dm", id = %message.id, user = %message.author.id);
        async {
            let ctx = Ctx::rest(Arc::clone(&ctx.http));
            let outcome = dm::message(&ctx, &self.state, &message).await;
            let ok = outcome.is_ok();
            if let Err(e) = outcome {
                error!(error = format!("{e:#}"), "DM handling failed");
                let sorry = dm::apology(&self.state, message.author.id.get()).await;
                if let Err(e) = super::send(&ctx, message.channel_id, sorry).await {
                    warn!(error = %e, "could not send the apology either");
                }
            }
            metrics::interaction("dm", if ok { "ok" } else { "error" }, started.elapsed());
        }
        .instrument(span)
        .await;
    }
}
