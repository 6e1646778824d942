//! One bot process, composed from configuration: the gateway shards it runs, the HTTP
//! interactions endpoint (with `/healthz` and `/metrics`), the purge task, and a
//! graceful shutdown that drains work in flight.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context as _, Result};
use serenity::all::{Http, ShardManager};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tracing::{error, info, warn};

use super::http::Endpoint;
use super::{commands, gateway, State};
use crate::config::Config;
use crate::ops::{self, metrics::Metrics, Drain};
use crate::store::now_ms;

/// Work in flight gets this long to finish at shutdown.
const DRAIN_DEADLINE: Duration = Duration::from_secs(10);
/// Uploads waiting for confirmation are dropped after this long.
const PENDING_UPLOAD_LIFETIME: Duration = Duration::from_secs(24 * 60 * 60);
/// How often idle conversations are purged and the open ones counted.
const PURGE_EVERY: Duration = Duration::from_secs(60);

/// A running bot process.
pub struct App {
    drain: Drain,
    shards: Option<Arc<ShardManager>>,
    gateway: Option<JoinHandle<Result<()>>>,
    listener: Option<JoinHandle<()>>,
    purge: JoinHandle<()>,
    stop_listening: watch::Sender<bool>,
    /// Where the HTTP endpoint (or the metrics-only listener) listens.
    pub listen_addr: Option<SocketAddr>,
    /// Discord's REST client, as the bot uses it.
    pub http: Arc<Http>,
}

/// Starts everything `config` asks for. Commands are registered first, by the process
/// that runs shard 0, and only when they changed.
pub async fn start(config: &Config, state: Arc<State>) -> Result<App> {
    let metrics = Metrics::install()?;
    let drain = Drain::default();
    let (mut client, http) = if config.gateway.enabled {
        let client = gateway::client(config, Arc::clone(&state), drain.clone()).await?;
        let http = Arc::clone(&client.http);
        (Some(client), http)
    } else {
        (None, Arc::new(gateway::http_client(config)?))
    };
    if config.gateway.register_commands
        && config.gateway.enabled
        && config.gateway.shards.has_shard_zero()
    {
        if let Err(e) = commands::register(&http, &state).await {
            error!(
                error = format!("{e:#}"),
                "registering slash commands failed"
            );
        }
    }
    let (stop_listening, stopped) = watch::channel(false);
    let store = Arc::clone(&state.sessions.store);
    let router = match &config.http {
        Some(endpoint) => Some((
            endpoint.listen,
            Endpoint::new(
                Arc::clone(&state),
                Arc::clone(&http),
                endpoint.public_key,
                drain.clone(),
            )?
            .router()
            .merge(ops::router(store, metrics)),
        )),
        None => config
            .metrics_listen
            .map(|listen| (listen, ops::router(store, metrics))),
    };
    let (listener, listen_addr) = match router {
        Some((address, router)) => {
            let listener = tokio::net::TcpListener::bind(address)
                .await
                .with_context(|| format!("cannot listen on {address}"))?;
            let bound = listener.local_addr()?;
            info!(address = %bound, "listening for HTTP");
            let mut stopped = stopped.clone();
            let task = tokio::spawn(async move {
                let serve = axum::serve(listener, router)
                    .tcp_nodelay(true)
                    .with_graceful_shutdown(async move {
                        let _ = stopped.wait_for(|stop| *stop).await;
                    });
                if let Err(e) = serve.await {
                    error!(error = %e, "the HTTP listener failed");
                }
            });
            (Some(task), Some(bound))
        }
        None => (None, None),
    };
    let shards = client.as_ref().map(|c| Arc::clone(&c.shard_manager));
    let gateway = client.take().map(|mut client| {
        let range = config.gateway.shards;
        tokio::spawn(async move { gateway::run(&mut client, range).await })
    });
    let purge = tokio::spawn(purge(Arc::clone(&state), config.idle_timeout));
    Ok(App {
        drain,
        shards,
        gateway,
        listener,
        purge,
        stop_listening,
        listen_addr,
        http,
    })
}

impl App {
    /// Runs until SIGTERM or Ctrl-C (then drains) or until the gateway ends by itself
    /// (an error, e.g. a rejected token).
    pub async fn run_until_signal(mut self) -> Result<()> {
        let ended = async {
            match self.gateway.as_mut() {
                Some(gateway) => Some(gateway.await),
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            () = ops::shutdown_signal() => {
                info!("shutting down: draining work in flight");
                self.shutdown().await;
                Ok(())
            }
            outcome = ended => {
                self.gateway = None;
                self.shutdown().await;
                match outcome {
                    Some(Ok(result)) => result,
                    Some(Err(e)) => Err(anyhow::anyhow!("the gateway task failed: {e}")),
                    None => Ok(()),
                }
            }
        }
    }

    /// Stops taking new interactions (shards closed, the listener stops accepting and
    /// answers 503 meanwhile), lets those in flight finish (10 s at most), then stops.
    pub async fn shutdown(mut self) {
        if let Some(shards) = &self.shards {
            shards.shutdown_all().await;
        }
        let _ = self.stop_listening.send(true);
        let left = self.drain.finish(DRAIN_DEADLINE).await;
        if left > 0 {
            warn!(left, "gave up waiting for interactions in flight");
        }
        self.purge.abort();
        if let Some(listener) = self.listener.as_mut() {
            let _ = tokio::time::timeout(Duration::from_secs(2), listener).await;
        }
        info!("stopped");
    }

    /// Stops at once, as a crash would (tests).
    pub async fn abort(self) {
        if let Some(shards) = &self.shards {
            shards.shutdown_all().await;
        }
        // Dropping aborts the rest.
    }
}

impl Drop for App {
    fn drop(&mut self) {
        self.purge.abort();
        if let Some(listener) = self.listener.take() {
            listener.abort();
        }
        if let Some(gateway) = self.gateway.take() {
            gateway.abort();
        }
    }
}

/// Deletes idle conversations and stale upload confirmations, and counts the open
/// conversations for the metrics, once a minute.
async fn purge(state: Arc<State>, idle_timeout: Duration) {
    let store = &state.sessions.store;
    let mut tick = tokio::time::interval(PURGE_EVERY);
    loop {
        tick.tick().await;
        let cutoff = now_ms().saturating_sub(millis(idle_timeout));
        match store.purge_idle(cutoff).await {
            Ok(0) => {}
            Ok(n) => info!(count = n, "expired idle conversations"),
            Err(e) => warn!(
                error = format!("{e:#}"),
                "could not purge idle conversations"
            ),
        }
        let cutoff = now_ms().saturating_sub(millis(PENDING_UPLOAD_LIFETIME));
        if let Err(e) = store.purge_pending(cutoff).await {
            warn!(
                error = format!("{e:#}"),
                "could not purge old upload confirmations"
            );
        }
        match store.count_open().await {
            Ok(open) => crate::ops::metrics::open_conversations(open),
            Err(e) => warn!(
                error = format!("{e:#}"),
                "could not count open conversations"
            ),
        }
    }
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}
