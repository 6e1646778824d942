//! Operations: metrics (Prometheus text at `/metrics`), health (`/healthz`) and
//! graceful shutdown (SIGTERM and Ctrl-C both drain in-flight work).

pub mod drain;
pub mod metrics;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;

use crate::store::Storage;

pub use drain::Drain;

/// How long the health check waits for the database.
const HEALTH_TIMEOUT: Duration = Duration::from_secs(2);

/// `/healthz` and `/metrics`, for the HTTP listener or the metrics-only one.
pub fn router(store: Arc<dyn Storage>, metrics: metrics::Metrics, drain: Drain) -> Router {
    Router::new()
        .route("/healthz", get(health))
        .with_state((store, drain))
        .route(
            "/metrics",
            get(move || {
                let text = metrics.render();
                async move {
                    (
                        [("content-type", "text/plain; version=0.0.4; charset=utf-8")],
                        text,
                    )
                }
            }),
        )
}

/// 200 while the database answers, 503 otherwise or while shutting down.
async fn health(State((store, drain)): State<(Arc<dyn Storage>, Drain)>) -> impl IntoResponse {
    if drain.is_draining() {
        return (StatusCode::SERVICE_UNAVAILABLE, "shutting down\n");
    }
    match tokio::time::timeout(HEALTH_TIMEOUT, store.ping()).await {
        Ok(Ok(())) => (StatusCode::OK, "ok\n"),
        Ok(Err(e)) => {
            metrics::database_error("ping");
            tracing::warn!(
                error = format!("{e:#}"),
                "health check: the database does not answer"
            );
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n")
        }
        Err(_) => {
            metrics::database_error("ping");
            (StatusCode::SERVICE_UNAVAILABLE, "database timed out\n")
        }
    }
}

/// Resolves on SIGTERM (docker, systemd) or Ctrl-C, whichever comes first.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}
