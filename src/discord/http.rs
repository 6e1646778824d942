//! Discord's HTTP interactions endpoint: `POST /interactions`.
//!
//! Every request's Ed25519 signature (`X-Signature-Ed25519` over
//! `X-Signature-Timestamp` + body) is verified before anything is parsed: a missing or
//! bad one gets 401. A PING gets `{"type":1}`. Commands and clicks are answered inline,
//! in the HTTP response, with no request back to Discord; work that can't make Discord's
//! 3-second window is deferred (type 5 or 6) and finished with follow-ups over REST.
//! Bad input (wrong method or path, a body over 1 MiB, non-JSON, an unknown
//! interaction type) gets a 4xx before any database work.

use std::convert::Infallible;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{DefaultBodyLimit, State as AxumState};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response as HttpResponse};
use axum::routing::post;
use axum::Router;
use bytes::Bytes;
use http_body::{Frame, SizeHint};
use serenity::all::{CreateInteractionResponse, Http, Interaction};
use serenity::interactions_endpoint::Verifier;
use tokio::sync::oneshot;
use tracing::{debug, warn};

use super::respond::{deferral, Ctx, DEFER_AFTER};
use super::{Reply, State};
use crate::config::PublicKey;
use crate::ops::{metrics, Drain};

/// Discord never sends more; anything bigger is refused before it is read whole.
const MAX_BODY: usize = 1 << 20;

/// What the endpoint needs.
#[derive(Clone)]
pub struct Endpoint {
    state: Arc<State>,
    http: Arc<Http>,
    verifier: Verifier,
    drain: Drain,
}

impl Endpoint {
    /// An endpoint verifying with `key`, answering through `state`.
    pub fn new(
        state: Arc<State>,
        http: Arc<Http>,
        key: PublicKey,
        drain: Drain,
    ) -> anyhow::Result<Self> {
        let verifier = Verifier::try_new(key.0)
            .map_err(|e| anyhow::anyhow!("the configured public key is not an Ed25519 key: {e}"))?;
        Ok(Endpoint {
            state,
            http,
            verifier,
            drain,
        })
    }

    /// `POST /interactions` (other methods get 405, other paths 404).
    pub fn router(self) -> Router {
        Router::new()
            .route("/interactions", post(interactions))
            .layer(DefaultBodyLimit::max(MAX_BODY))
            .with_state(self)
    }
}

/// Signed requests older (or newer) than this are refused as replays.
const MAX_CLOCK_SKEW_SECS: u64 = 5 * 60;

/// Whether a request's `X-Signature-Timestamp` (Unix seconds) is within a few minutes
/// of now.
fn is_fresh(timestamp: &str) -> bool {
    let Ok(sent) = timestamp.trim().parse::<u64>() else {
        return false;
    };
    let now = crate::store::now_ms() / 1000;
    now.abs_diff(sent) <= MAX_CLOCK_SKEW_SECS
}

fn plain(status: StatusCode, text: &'static str) -> HttpResponse {
    (status, text).into_response()
}

async fn interactions(
    AxumState(endpoint): AxumState<Endpoint>,
    headers: HeaderMap,
    body: Bytes,
) -> HttpResponse {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let (Some(signature), Some(timestamp)) = (
        header("x-signature-ed25519"),
        header("x-signature-timestamp"),
    ) else {
        return plain(StatusCode::UNAUTHORIZED, "missing request signature\n");
    };
    if endpoint
        .verifier
        .verify(signature, timestamp, &body)
        .is_err()
    {
        return plain(StatusCode::UNAUTHORIZED, "invalid request signature\n");
    }
    if !is_fresh(timestamp) {
        // A validly signed request from long ago is a replay.
        return plain(StatusCode::UNAUTHORIZED, "stale request timestamp\n");
    }
    let interaction: Interaction = match serde_json::from_slice(&body) {
        Ok(interaction) => interaction,
        Err(e) => {
            debug!(error = %e, "unreadable interaction");
            return plain(
                StatusCode::BAD_REQUEST,
                "not an interaction this bot understands\n",
            );
        }
    };
    let (kind, application) = match &interaction {
        Interaction::Ping(_) => {
            metrics::interaction("ping", "ok", Duration::ZERO);
            return ([("content-type", "application/json")], r#"{"type":1}"#).into_response();
        }
        Interaction::Command(c) => ("command", c.application_id),
        Interaction::Autocomplete(c) => ("autocomplete", c.application_id),
        Interaction::Component(c) => ("component", c.application_id),
        _ => return plain(StatusCode::BAD_REQUEST, "unsupported interaction type\n"),
    };
    // Follow-ups and edits of `@original` name the application. A gateway process
    // learns its id from READY; a worker without a gateway (and without
    // `application_id` configured) takes it from the signed interaction.
    if endpoint.http.application_id().is_none() {
        endpoint.http.set_application_id(application);
    }
    let Some(working) = endpoint.drain.begin() else {
        return plain(StatusCode::SERVICE_UNAVAILABLE, "shutting down\n");
    };
    let (answer_tx, mut answer_rx) = oneshot::channel();
    let ctx = Ctx::inline(Arc::clone(&endpoint.http), answer_tx);
    {
        let ctx = ctx.clone();
        let state = Arc::clone(&endpoint.state);
        tokio::spawn(async move {
            super::handle(&ctx, &state, &interaction).await;
            drop(working);
        });
    }
    let answered = match tokio::time::timeout(DEFER_AFTER, &mut answer_rx).await {
        Ok(answered) => answered,
        Err(_) => match ctx.mark_deferred() {
            Some(delivered) => {
                debug!("slow interaction: deferred, the handler finishes over REST");
                return signalled(&deferral(kind), delivered);
            }
            // It answered just as the timer fired: that answer is on its way.
            None => answer_rx.await,
        },
    };
    let Ok(answer) = answered else {
        // The handler ended without answering: never leave Discord waiting.
        warn!("an interaction ended without an answer");
        return json(&fallback(kind));
    };
    inline_response(answer.body, answer.delivered)
}

fn json(response: &CreateInteractionResponse) -> HttpResponse {
    match serde_json::to_vec(response) {
        Ok(body) => ([("content-type", "application/json")], body).into_response(),
        Err(_) => plain(StatusCode::INTERNAL_SERVER_ERROR, "response error\n"),
    }
}

/// The answer when a handler ended without one: an apology, or no suggestions for an
/// autocomplete (which can't carry a message).
fn fallback(kind: &str) -> CreateInteractionResponse {
    if kind == "autocomplete" {
        return CreateInteractionResponse::Autocomplete(
            serenity::all::CreateAutocompleteResponse::new(),
        );
    }
    let reply =
        Reply::notice("Sorry, something went wrong on my side. Please try again in a moment.");
    CreateInteractionResponse::Message(reply.into_interaction().ephemeral(true))
}

/// A JSON answer whose body signals `delivered` once it is out.
fn signalled(response: &CreateInteractionResponse, delivered: oneshot::Sender<()>) -> HttpResponse {
    match serde_json::to_vec(response) {
        Ok(body) => inline_response(body, delivered),
        Err(_) => plain(StatusCode::INTERNAL_SERVER_ERROR, "response error\n"),
    }
}

fn inline_response(body: Vec<u8>, delivered: oneshot::Sender<()>) -> HttpResponse {
    HttpResponse::builder()
        .header("content-type", "application/json")
        .body(Body::new(Delivered {
            data: Some(Bytes::from(body)),
            delivered: Some(delivered),
        }))
        .unwrap_or_else(|_| plain(StatusCode::INTERNAL_SERVER_ERROR, "response error\n"))
}

/// A response body that signals once it has been handed to the connection (or
/// dropped), so follow-ups over REST can't overtake the inline answer.
struct Delivered {
    data: Option<Bytes>,
    delivered: Option<oneshot::Sender<()>>,
}

impl Delivered {
    fn signal(&mut self) {
        if let Some(delivered) = self.delivered.take() {
            let _ = delivered.send(());
        }
    }
}

impl http_body::Body for Delivered {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        match self.data.take() {
            Some(data) => Poll::Ready(Some(Ok(Frame::data(data)))),
            None => {
                self.signal();
                Poll::Ready(None)
            }
        }
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.data.as_ref().map_or(0, |d| d.len() as u64))
    }
}

impl Drop for Delivered {
    fn drop(&mut self) {
        self.signal();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_timestamps_within_five_minutes_of_now_are_fresh() {
        let now = crate::store::now_ms() / 1000;
        assert!(is_fresh(&now.to_string()));
        assert!(is_fresh(&(now - 299).to_string()));
        assert!(!is_fresh(&(now - 301).to_string()), "a replay");
        assert!(!is_fresh(&(now + 301).to_string()));
        assert!(!is_fresh("yesterday"));
        assert!(!is_fresh(""));
    }
}
