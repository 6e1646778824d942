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
use serenity::all::{
    CreateInteractionResponse, CreateInteractionResponseMessage, Http, Interaction,
};
use serenity::interactions_endpoint::Verifier;
use tokio::sync::oneshot;
use tracing::{debug, warn};

use super::respond::Ctx;
use super::{Reply, State};
use crate::config::PublicKey;
use crate::ops::{metrics, Drain};

/// Discord never sends more; anything bigger is refused before it is read whole.
const MAX_BODY: usize = 1 << 20;
/// How long a handler may take before the endpoint defers for it: Discord's window is
/// 3 s, counted before the request reached us.
const DEFER_AFTER: Duration = Duration::from_millis(2_000);

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
        Err(_) if ctx.mark_deferred() => {
            debug!("slow interaction: deferred, the handler finishes over REST");
            return json(&deferral(kind));
        }
        // It answered just as the timer fired: that answer is on its way.
        Err(_) => answer_rx.await,
    };
    let Ok(answer) = answered else {
        // The handler ended without answering: never leave Discord waiting.
        warn!("an interaction ended without an answer");
        return json(&apology());
    };
    HttpResponse::builder()
        .header("content-type", "application/json")
        .body(Body::new(Delivered {
            data: Some(Bytes::from(answer.body)),
            delivered: Some(answer.delivered),
        }))
        .unwrap_or_else(|_| plain(StatusCode::INTERNAL_SERVER_ERROR, "response error\n"))
}

fn json(response: &CreateInteractionResponse) -> HttpResponse {
    match serde_json::to_vec(response) {
        Ok(body) => ([("content-type", "application/json")], body).into_response(),
        Err(_) => plain(StatusCode::INTERNAL_SERVER_ERROR, "response error\n"),
    }
}

/// The deferral sent when a handler is too slow: "thinking…" (private) for a command,
/// a silent acknowledgement for a click (its message changes when the handler is
/// done), and no suggestions for an autocomplete (which can't be deferred).
fn deferral(kind: &str) -> CreateInteractionResponse {
    match kind {
        "component" => CreateInteractionResponse::Acknowledge,
        // Autocomplete can't be deferred: no suggestions this time beats an error.
        "autocomplete" => {
            CreateInteractionResponse::Autocomplete(serenity::all::CreateAutocompleteResponse::new())
        }
        _ => CreateInteractionResponse::Defer(
            CreateInteractionResponseMessage::new().ephemeral(true),
        ),
    }
}

fn apology() -> CreateInteractionResponse {
    let reply =
        Reply::notice("Sorry, something went wrong on my side. Please try again in a moment.");
    CreateInteractionResponse::Message(reply.into_interaction().ephemeral(true))
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
