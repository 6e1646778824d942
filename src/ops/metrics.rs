//! The bot's metrics, all prefixed `stackpick_`, through the `metrics` facade and
//! rendered in Prometheus' text format by `metrics-exporter-prometheus`.

use std::sync::OnceLock;
use std::time::Duration;

use anyhow::{Context as _, Result};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

/// Interactions handled, by `kind` (command, component, autocomplete, dm, ping) and
/// `outcome` (ok, error).
pub const INTERACTIONS: &str = "stackpick_interactions_total";
/// Time from receiving an interaction to finishing it, by `kind`.
pub const INTERACTION_SECONDS: &str = "stackpick_interaction_duration_seconds";
/// Conversations waiting for an answer (all processes: counted in the database).
pub const OPEN_CONVERSATIONS: &str = "stackpick_open_conversations";
/// Database operations that failed, by `operation`.
pub const DATABASE_ERRORS: &str = "stackpick_database_errors_total";
/// 1 while a gateway shard is connected, 0 otherwise, by `shard`.
pub const SHARD_CONNECTED: &str = "stackpick_shard_connected";

/// A handle that renders the process's metrics.
#[derive(Clone)]
pub struct Metrics {
    handle: PrometheusHandle,
}

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

impl Metrics {
    /// Installs the process-wide recorder (once; later calls share it).
    pub fn install() -> Result<Metrics> {
        if let Some(handle) = HANDLE.get() {
            return Ok(Metrics {
                handle: handle.clone(),
            });
        }
        let buckets = [
            0.000_5, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
        ];
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Full(INTERACTION_SECONDS.to_owned()), &buckets)
            .context("invalid histogram buckets")?
            .build_recorder();
        let handle = recorder.handle();
        // Another recorder may be installed already (a test harness): then we render
        // what ours sees, which is nothing; never fail the bot over metrics.
        if metrics::set_global_recorder(recorder).is_ok() {
            let _ = HANDLE.set(handle.clone());
        }
        Ok(Metrics {
            handle: HANDLE.get().cloned().unwrap_or(handle),
        })
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        self.handle.render()
    }

    /// Drains histogram samples into their buckets every few seconds, so memory stays
    /// flat even when nobody scrapes `/metrics`. Runs until aborted.
    pub async fn upkeep(self) {
        let mut tick = tokio::time::interval(Duration::from_secs(5));
        loop {
            tick.tick().await;
            self.handle.run_upkeep();
        }
    }
}

/// Records one finished interaction.
pub fn interaction(kind: &'static str, outcome: &'static str, took: Duration) {
    metrics::counter!(INTERACTIONS, "kind" => kind, "outcome" => outcome).increment(1);
    metrics::histogram!(INTERACTION_SECONDS, "kind" => kind).record(took.as_secs_f64());
}

/// Records a failed database operation.
pub fn database_error(operation: &'static str) {
    metrics::counter!(DATABASE_ERRORS, "operation" => operation).increment(1);
}

/// Records a shard's connection state.
pub fn shard(id: u32, connected: bool) {
    metrics::gauge!(SHARD_CONNECTED, "shard" => id.to_string()).set(if connected {
        1.0
    } else {
        0.0
    });
}

/// Records how many conversations are open.
pub fn open_conversations(count: u64) {
    // A gauge is an f64; counts this large are exact far beyond any real number.
    #[allow(clippy::cast_precision_loss)]
    metrics::gauge!(OPEN_CONVERSATIONS).set(count as f64);
}
