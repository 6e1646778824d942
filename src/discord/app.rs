//! One bot process, composed from configuration: the gateway shards it runs, the HTTP
//! interactions endpoint (with `/healthz` and `/metrics`), the purge task, and a
//! graceful shutdown that drains work in flight.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{anyhow, Context as _, Result};
use serenity::all::{Http, ShardManager};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tracing::{error, info, warn};

use super::http::Endpoint;
use super::{commands, gateway, State};
use crate::config::Config;
use crate::ops::{self, metrics::Metrics, Drain};
use crate::session::purge::{self, Policy};
use crate::store::SystemClock;

/// Work in flight gets this long to finish at shutdown.
const DRAIN_DEADLINE: Duration = Duration::from_secs(10);
/// How often idle conversations are purged and the open ones counted.
const PURGE_EVERY: Duration = Duration::from_secs(60);

/// A running bot process.
pub struct App {
    drain: Drain,
    shards: Option<Arc<ShardManager>>,
    gateway: Option<JoinHandle<Result<()>>>,
    listeners: Vec<JoinHandle<std::io::Result<()>>>,
    /// The purge task and the metrics upkeep.
    background: Vec<JoinHandle<()>>,
    stop_listening: watch::Sender<bool>,
    /// Where the HTTP endpoint listens (or, without one, the metrics listener).
    pub listen_addr: Option<SocketAddr>,
    /// Where `[metrics] listen` serves /healthz and /metrics, when set.
    pub metrics_addr: Option<SocketAddr>,
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
        if let Err(e) = commands::register(&http, &state.dev_guild_ids).await {
            error!(
                error = format!("{e:#}"),
                "registering slash commands failed"
            );
        }
    }
    let (stop_listening, stopped) = watch::channel(false);
    let store = Arc::clone(&state.sessions.store);
    let ops = ops::router(store, metrics.clone(), drain.clone());
    // /healthz and /metrics go on `[metrics] listen` when set (kept off a public
    // interactions listener), else beside /interactions.
    let mut routers = Vec::new();
    if let Some(endpoint) = &config.http {
        let interactions = Endpoint::new(
            Arc::clone(&state),
            Arc::clone(&http),
            endpoint.public_key,
            drain.clone(),
        )?
        .router();
        let router = match config.metrics_listen {
            Some(_) => interactions,
            None => interactions.merge(ops.clone()),
        };
        routers.push((endpoint.listen, router));
    }
    if let Some(listen) = config.metrics_listen {
        routers.push((listen, ops));
    }
    let mut listeners = Vec::new();
    let mut listen_addrs = Vec::new();
    for (address, router) in routers {
        let listener = tokio::net::TcpListener::bind(address)
            .await
            .with_context(|| format!("cannot listen on {address}"))?;
        let bound = listener.local_addr()?;
        info!(address = %bound, "listening for HTTP");
        let mut stopped = stopped.clone();
        listeners.push(tokio::spawn(async move {
            axum::serve(listener, router)
                .tcp_nodelay(true)
                .with_graceful_shutdown(async move {
                    let _ = stopped.wait_for(|stop| *stop).await;
                })
                .await
        }));
        listen_addrs.push(bound);
    }
    let shards = client.as_ref().map(|c| Arc::clone(&c.shard_manager));
    let gateway = client.take().map(|mut client| {
        let range = config.gateway.shards;
        tokio::spawn(async move { gateway::run(&mut client, range).await })
    });
    let background = vec![
        tokio::spawn(purge(
            Arc::clone(&state),
            Policy {
                idle_timeout: config.idle_timeout,
                retention: config.retention,
            },
        )),
        tokio::spawn(metrics.upkeep()),
    ];
    Ok(App {
        drain,
        shards,
        gateway,
        listeners,
        background,
        stop_listening,
        listen_addr: listen_addrs.first().copied(),
        metrics_addr: config.metrics_listen.and(listen_addrs.last().copied()),
        http,
    })
}

impl App {
    /// Runs until SIGTERM or Ctrl-C (then drains), or until the gateway or an HTTP
    /// listener ends by itself (an error, e.g. a rejected token): then it stops too
    /// and says why.
    pub async fn run_until_signal(mut self) -> Result<()> {
        let gateway = self.gateway.take();
        let listeners = std::mem::take(&mut self.listeners);
        let gateway_ended = async {
            match gateway {
                Some(gateway) => match gateway.await {
                    Ok(result) => result.and(Err(anyhow!("the gateway connection ended"))),
                    Err(e) => Err(anyhow!("the gateway task failed: {e}")),
                },
                None => std::future::pending().await,
            }
        };
        // Whichever listener ends first (they only end on their own by failing).
        let (ended_tx, mut ended_rx) = tokio::sync::mpsc::channel(listeners.len().max(1));
        for listener in listeners {
            let ended_tx = ended_tx.clone();
            tokio::spawn(async move {
                let _ = ended_tx.send(listener.await).await;
            });
        }
        drop(ended_tx);
        let listener_ended = async {
            match ended_rx.recv().await {
                None => std::future::pending().await,
                Some(Ok(Ok(()))) => Err(anyhow!("an HTTP listener stopped")),
                Some(Ok(Err(e))) => Err(anyhow!("an HTTP listener failed: {e}")),
                Some(Err(e)) => Err(anyhow!("an HTTP listener task failed: {e}")),
            }
        };
        let outcome = tokio::select! {
            () = ops::shutdown_signal() => {
                info!("shutting down: draining work in flight");
                Ok(())
            }
            ended = gateway_ended => ended,
            ended = listener_ended => ended,
        };
        self.shutdown().await;
        outcome
    }

    /// Stops taking new interactions (the listeners stop accepting, /healthz answers
    /// 503, the shards close), lets those in flight finish (10 s at most for all of
    /// it), then stops.
    pub async fn shutdown(mut self) {
        self.drain.stop();
        let _ = self.stop_listening.send(true);
        let close_shards = async {
            if let Some(shards) = &self.shards {
                shards.shutdown_all().await;
            }
        };
        let (left, closed) = tokio::join!(
            self.drain.finish(DRAIN_DEADLINE),
            tokio::time::timeout(DRAIN_DEADLINE, close_shards)
        );
        if left > 0 {
            warn!(left, "gave up waiting for interactions in flight");
        }
        if closed.is_err() {
            warn!("the gateway shards did not close in time");
        }
        for listener in self.listeners.drain(..) {
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
        for task in &self.background {
            task.abort();
        }
        for listener in &self.listeners {
            listener.abort();
        }
        if let Some(gateway) = self.gateway.take() {
            gateway.abort();
        }
    }
}

/// Runs the purge (see [`crate::session::purge`]), deletes expired team lobbies and
/// counts the open conversations for the metrics, once a minute.
async fn purge(state: Arc<State>, policy: Policy) {
    let store = &state.sessions.store;
    let mut tick = tokio::time::interval(PURGE_EVERY);
    loop {
        tick.tick().await;
        match purge::run_once(store.as_ref(), &SystemClock, &policy).await {
            Ok(purged) => {
                if purged.idle > 0 {
                    info!(count = purged.idle, "expired idle conversations");
                }
                if purged.expired.total() > 0 {
                    info!(
                        results = purged.expired.results,
                        conversations = purged.expired.conversations,
                        "deleted data past the retention period"
                    );
                }
            }
            Err(e) => warn!(error = format!("{e:#}"), "the purge failed"),
        }
        let lifetime = crate::session::millis(state.sessions.lobby_lifetime);
        match store
            .purge_lobbies(crate::store::now_ms().saturating_sub(lifetime))
            .await
        {
            Ok(0) => {}
            Ok(n) => info!(count = n, "expired team lobbies"),
            Err(e) => warn!(
                error = format!("{e:#}"),
                "could not purge expired team lobbies"
            ),
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
