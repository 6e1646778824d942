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

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{bail, Context as _, Result};
use serenity::all::{
    ChannelId, Client, ClientBuilder, Context, CreateInteractionResponse, EventHandler,
    GatewayIntents, GuildId, HttpBuilder, Interaction, Message, Ready,
};
use serenity::async_trait;
use tracing::{error, info, info_span, warn, Instrument};

use crate::config::Config;
use crate::guide::Catalogue;
use crate::ids::SetId;
use crate::questionnaire::{builtin_sets, QuestionSet, Source, BUILTIN_SETS};
use crate::store::{Storage, StoredSet};

pub use render::Reply;

/// How many parsed server-set versions are kept in memory.
const PARSED_SETS_CACHED: usize = 256;

/// Everything the handlers share; one value, no globals.
pub struct State {
    /// The guide's catalogue.
    pub catalogue: Catalogue,
    /// Sets every server has: the built-in ones and those of `questions_dir`.
    pub sets: BTreeMap<SetId, Arc<QuestionSet>>,
    /// Their TOML, for `/questions export`.
    pub sources: BTreeMap<SetId, String>,
    /// Where conversations, server settings, sets and results live.
    pub store: Arc<dyn Storage>,
    /// How long an untouched conversation stays open.
    pub idle_timeout: Duration,
    /// Guilds to register commands in instead of globally.
    pub dev_guild_ids: Vec<u64>,
    /// Parsed server sets by (guild, set, revision), so a click doesn't re-parse TOML.
    parsed: Mutex<HashMap<(u64, SetId, u32), Arc<QuestionSet>>>,
}

impl State {
    /// Builds the shared state: catalogue, the built-in sets and those of the
    /// configured folder (a broken file stops the start with its problems listed).
    pub fn new(config: &Config, catalogue: Catalogue, store: Arc<dyn Storage>) -> Result<State> {
        let mut sets = BTreeMap::new();
        let mut sources = BTreeMap::new();
        for (set, (_, text)) in builtin_sets(&catalogue)?.into_iter().zip(BUILTIN_SETS) {
            sources.insert(set.id.clone(), (*text).to_owned());
            sets.insert(set.id.clone(), Arc::new(set));
        }
        if let Some(dir) = &config.questions_dir {
            let entries = std::fs::read_dir(dir)
                .with_context(|| format!("cannot read questions_dir {}", dir.display()))?;
            let mut paths: Vec<_> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "toml"))
                .collect();
            paths.sort();
            for path in paths {
                let name = path.display().to_string();
                let text = std::fs::read_to_string(&path)
                    .with_context(|| format!("cannot read {name}"))?;
                let set = QuestionSet::from_toml(
                    Source {
                        name: &name,
                        text: &text,
                    },
                    &catalogue,
                )?;
                sources.insert(set.id.clone(), text);
                if sets.insert(set.id.clone(), Arc::new(set)).is_some() {
                    info!(file = %name, "question set replaces the built-in set with the same id");
                }
            }
        }
        Ok(State {
            catalogue,
            sets,
            sources,
            store,
            idle_timeout: config.idle_timeout,
            dev_guild_ids: config.dev_guild_ids.clone(),
            parsed: Mutex::new(HashMap::new()),
        })
    }

    /// A server set's stored version as a question set. Its `version` becomes the
    /// stored revision, so every upload is a new, comparable version.
    pub fn parse_stored(&self, guild_id: u64, stored: &StoredSet) -> Result<Arc<QuestionSet>> {
        let key = (guild_id, stored.set_id.clone(), stored.revision);
        if let Some(set) = self.parsed.lock().ok().and_then(|p| p.get(&key).cloned()) {
            return Ok(set);
        }
        let source = stored
            .source
            .as_deref()
            .context("that version is a removal")?;
        let name = format!("{} (version {})", stored.set_id, stored.revision);
        let mut set = QuestionSet::from_toml(
            Source {
                name: &name,
                text: source,
            },
            &self.catalogue,
        )?;
        set.version = stored.revision;
        let set = Arc::new(set);
        match self.parsed.lock() {
            Ok(mut parsed) => {
                // A cache, not a record: when it grows past its bound it starts over.
                if parsed.len() >= PARSED_SETS_CACHED {
                    parsed.clear();
                }
                // Two interactions may parse the same revision at once: keep the first.
                Ok(Arc::clone(parsed.entry(key).or_insert(set)))
            }
            Err(_) => Ok(set),
        }
    }

    /// Any stored revision of a server set (conversations keep theirs).
    pub async fn stored_set(
        &self,
        guild_id: u64,
        id: &SetId,
        revision: u32,
    ) -> Result<Option<Arc<QuestionSet>>> {
        let key = (guild_id, id.clone(), revision);
        if let Some(set) = self.parsed.lock().ok().and_then(|p| p.get(&key).cloned()) {
            return Ok(Some(set));
        }
        let stored = self
            .store
            .set_versions(guild_id, id)
            .await?
            .into_iter()
            .find(|v| v.revision == revision);
        match stored {
            Some(stored) if stored.source.is_some() => {
                Ok(Some(self.parse_stored(guild_id, &stored)?))
            }
            _ => Ok(None),
        }
    }

    /// The sets available in a server (or a DM): built-in ones, then the server's,
    /// a server set replacing a built-in one with the same id; each with where it
    /// comes from.
    pub async fn resolve_sets(&self, guild_id: Option<u64>) -> Result<BTreeMap<SetId, Resolved>> {
        let mut sets: BTreeMap<SetId, Resolved> = self
            .sets
            .iter()
            .map(|(id, set)| {
                (
                    id.clone(),
                    Resolved {
                        set: Arc::clone(set),
                        revision: None,
                    },
                )
            })
            .collect();
        if let Some(guild) = guild_id {
            for stored in self.store.current_sets(guild).await? {
                // One unreadable stored set (e.g. checked against an older catalogue)
                // must not take the server's other sets down with it.
                match self.parse_stored(guild, &stored) {
                    Ok(set) => {
                        let revision = Some(stored.revision);
                        sets.insert(set.id.clone(), Resolved { set, revision });
                    }
                    Err(e) => {
                        warn!(set = %stored.set_id, revision = stored.revision, error = format!("{e:#}"), "skipping a stored set that no longer loads")
                    }
                }
            }
        }
        Ok(sets)
    }

    /// The sets available in a server (or a DM), for listing.
    pub async fn sets_for(
        &self,
        guild_id: Option<u64>,
    ) -> Result<BTreeMap<SetId, Arc<QuestionSet>>> {
        Ok(self
            .resolve_sets(guild_id)
            .await?
            .into_iter()
            .map(|(id, resolved)| (id, resolved.set))
            .collect())
    }

    /// The set with this id in a server (or a DM).
    pub async fn find_set(&self, guild_id: Option<u64>, id: &SetId) -> Result<Option<Resolved>> {
        Ok(self.resolve_sets(guild_id).await?.remove(id))
    }

    /// The set `/recommend` uses when none is named: the server's chosen one, else
    /// the default (the server's own `default` if it has one).
    pub async fn active_set(&self, guild_id: Option<u64>) -> Result<Resolved> {
        if let Some(guild) = guild_id {
            if let Some(id) = self.store.settings(guild).await?.active_set {
                if let Some(set) = self.find_set(Some(guild), &id).await? {
                    return Ok(set);
                }
                warn!(set = %id, "the server's chosen set is gone; using the default");
            }
        }
        let mut sets = self.resolve_sets(guild_id).await?;
        match sets.remove(&SetId::from("default")) {
            Some(set) => Ok(set),
            None => sets
                .into_values()
                .next()
                .context("no question set is loaded"),
        }
    }
}

/// A question set as found for a server: the set, and for a server's own set the
/// stored revision it is (conversations keep running on that revision).
#[derive(Clone)]
pub struct Resolved {
    /// The set.
    pub set: Arc<QuestionSet>,
    /// `Some` for a server's stored set; `None` for a built-in one.
    pub revision: Option<u32>,
}

impl std::ops::Deref for Resolved {
    type Target = QuestionSet;

    fn deref(&self) -> &QuestionSet {
        &self.set
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
        let cutoff = crate::store::now_ms().saturating_sub(millis(state.idle_timeout));
        match state.store.purge_idle(cutoff).await {
            Ok(0) => {}
            Ok(n) => info!(count = n, "expired idle conversations"),
            Err(e) => warn!(
                error = format!("{e:#}"),
                "could not purge idle conversations"
            ),
        }
        let cutoff = crate::store::now_ms().saturating_sub(millis(PENDING_UPLOAD_LIFETIME));
        if let Err(e) = state.store.purge_pending(cutoff).await {
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
        if let Err(e) = commands::register(&ctx, &self.state).await {
            error!(
                error = format!("{e:#}"),
                "registering slash commands failed"
            );
        }
    }

    async fn interaction_create(&self, ctx: Context, interaction: Interaction) {
        let (id, user, guild, name) = match &interaction {
            Interaction::Command(c) | Interaction::Autocomplete(c) => {
                (c.id, c.user.id, c.guild_id, c.data.name.clone())
            }
            Interaction::Component(c) => (c.id, c.user.id, c.guild_id, c.data.custom_id.clone()),
            _ => return,
        };
        let span = info_span!("interaction", id = %id, user = %user, guild = ?guild.map(GuildId::get), command = %name);
        async {
            let outcome = match &interaction {
                Interaction::Command(command) => commands::run(&ctx, &self.state, command).await,
                Interaction::Autocomplete(command) => {
                    commands::autocomplete(&ctx, &self.state, command).await
                }
                Interaction::Component(click) => flow::click(&ctx, &self.state, click).await,
                _ => Ok(()),
            };
            if let Err(e) = outcome {
                error!(error = format!("{e:#}"), "interaction failed");
                apologise(&ctx, &interaction).await;
            }
        }
        .instrument(span)
        .await;
    }

    async fn message(&self, ctx: Context, message: Message) {
        if message.guild_id.is_some() || message.author.bot {
            return;
        }
        let span = info_span!("dm", id = %message.id, user = %message.author.id);
        async {
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

/// Tells the user something went wrong, without internal details. Tries a new
/// response first; if the interaction was already acknowledged (a deferred command),
/// an ephemeral follow-up instead, so nobody is left looking at "thinking…".
async fn apologise(ctx: &Context, interaction: &Interaction) {
    let text = "Sorry, something went wrong on my side. Please try again in a moment.";
    let message = || Reply::notice(text).into_interaction().ephemeral(true);
    let followup = || Reply::notice(text).into_followup().ephemeral(true);
    let outcome = match interaction {
        Interaction::Command(c) => {
            match c
                .create_response(&ctx.http, CreateInteractionResponse::Message(message()))
                .await
            {
                Ok(()) => Ok(()),
                Err(_) => c.create_followup(&ctx.http, followup()).await.map(|_| ()),
            }
        }
        Interaction::Component(c) => {
            match c
                .create_response(&ctx.http, CreateInteractionResponse::Message(message()))
                .await
            {
                Ok(()) => Ok(()),
                Err(_) => c.create_followup(&ctx.http, followup()).await.map(|_| ()),
            }
        }
        _ => return,
    };
    if let Err(e) = outcome {
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
async fn send(ctx: &Context, channel: ChannelId, reply: Reply) -> Result<(), serenity::Error> {
    channel
        .send_message(&ctx.http, reply.into_message())
        .await
        .map(|_| ())
}
