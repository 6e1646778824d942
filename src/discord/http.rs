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
use serde_json::value::RawValue;
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
    let interaction = match decode(&body) {
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

/// Decodes an interaction straight into its kind's type. (serenity's own
/// `Deserialize` for [`Interaction`] builds a whole `serde_json::Value` first and then
/// converts it: that doubled the cost of reading a click, whose body carries the whole
/// message clicked.) The same types and the same outcome, without the detour, except
/// that a click's message comes without its embeds and components: Discord sends the
/// clicked message whole, the bot's state is in the button's `custom_id` and the store,
/// and reading the message's questions and buttons back was a tenth of a click's cost.
fn decode(body: &[u8]) -> serde_json::Result<Interaction> {
    /// The kind and where the message is; every other field is skipped unbuilt.
    #[derive(serde::Deserialize)]
    struct Peek<'a> {
        #[serde(rename = "type")]
        kind: u8,
        #[serde(borrow, default)]
        message: Option<&'a RawValue>,
    }
    let Peek { kind, message } = serde_json::from_slice(body)?;
    Ok(match kind {
        1 => Interaction::Ping(serde_json::from_slice(body)?),
        2 => Interaction::Command(serde_json::from_slice(body)?),
        3 => {
            let lighter = message.and_then(|m| without_contents(body, m));
            Interaction::Component(serde_json::from_slice(lighter.as_deref().unwrap_or(body))?)
        }
        4 => Interaction::Autocomplete(serde_json::from_slice(body)?),
        5 => Interaction::Modal(serde_json::from_slice(body)?),
        other => {
            return Err(serde::de::Error::custom(format_args!(
                "unknown interaction type {other}"
            )))
        }
    })
}

/// `body` with the `embeds` and `components` lists of its `message` (a slice of
/// `body`) emptied, unread; `None` if the message has neither, isn't an object, or
/// either isn't a list (then `body` is decoded as it is, and any problem reported
/// from there).
fn without_contents(body: &[u8], message: &RawValue) -> Option<Vec<u8>> {
    #[derive(serde::Deserialize)]
    struct Contents<'a> {
        #[serde(borrow, default)]
        embeds: Option<&'a RawValue>,
        #[serde(borrow, default)]
        components: Option<&'a RawValue>,
    }
    let Contents { embeds, components } = serde_json::from_str(message.get()).ok()?;
    // Where each value lies in `body` (they borrow from it).
    let base = body.as_ptr() as usize;
    let mut spans: Vec<(usize, usize, bool)> = [embeds, components]
        .into_iter()
        .flatten()
        .map(|value| {
            let start = value.get().as_ptr() as usize - base;
            (
                start,
                start + value.get().len(),
                value.get().starts_with('['),
            )
        })
        .collect();
    // Lists only: anything else is left for serenity to refuse.
    if spans.is_empty() || spans.iter().any(|&(_, _, list)| !list) {
        return None;
    }
    spans.sort_unstable();
    let mut lighter = Vec::with_capacity(body.len());
    let mut at = 0;
    for (start, end, _) in spans {
        lighter.extend_from_slice(body.get(at..start)?);
        lighter.extend_from_slice(b"[]");
        at = end;
    }
    lighter.extend_from_slice(body.get(at..)?);
    Some(lighter)
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
    use serde_json::{json, Value};

    use super::*;

    /// A click in a server on a message with an embed and buttons, as Discord sends it.
    const CLICK: &str = r#"{
        "type": 3, "id": "1100000000000000001", "application_id": "1000000000000000001",
        "token": "tok", "version": 1, "locale": "en-US", "guild_locale": "en-US",
        "guild_id": "1000000000000000010", "channel_id": "1000000000000000011",
        "app_permissions": "2248473465835073", "entitlements": [], "attachment_size_limit": 10485760,
        "authorizing_integration_owners": {"0": "1000000000000000010"}, "context": 0,
        "member": {"user": {"id": "1100000000000000002", "username": "ada",
            "discriminator": "0", "global_name": "Ada", "avatar": null, "public_flags": 0},
            "nick": null, "avatar": null, "roles": [], "joined_at": "2024-01-01T00:00:00.000000+00:00",
            "premium_since": null, "deaf": false, "mute": false, "flags": 0, "pending": false,
            "permissions": "2248473465835073"},
        "data": {"custom_id": "sp:abc:2:p1", "component_type": 2},
        "message": {"id": "1100000000000000003", "channel_id": "1000000000000000011",
            "type": 20, "content": "", "tts": false, "mention_everyone": false,
            "mentions": [], "mention_roles": [], "attachments": [], "pinned": false,
            "timestamp": "2026-11-29T10:00:00.000000+00:00", "edited_timestamp": null, "flags": 64,
            "author": {"id": "1000000000000000002", "username": "stackpick", "discriminator": "0000",
                "avatar": null, "bot": true, "public_flags": 0},
            "embeds": [{"type": "rich", "title": "How big is the team?", "description": "Pick one",
                "color": 5793266, "fields": [{"name": "Progress", "value": "2 of 4", "inline": true}]}],
            "components": [{"type": 1, "components": [
                {"type": 2, "style": 1, "label": "Small", "custom_id": "sp:abc:2:p0"},
                {"type": 2, "style": 1, "label": "Large", "custom_id": "sp:abc:2:p1"}]}]}
    }"#;

    /// A slash command in a DM, with an option.
    const COMMAND: &str = r#"{
        "type": 2, "id": "1100000000000000004", "application_id": "1000000000000000001",
        "token": "tok", "version": 1, "locale": "en-US", "channel_id": "1100000000000000005",
        "app_permissions": "0", "entitlements": [], "context": 1, "attachment_size_limit": 10485760,
        "user": {"id": "1100000000000000002", "username": "ada", "discriminator": "0",
            "global_name": "Ada", "avatar": null, "public_flags": 0},
        "data": {"id": "1100000000000000006", "name": "recommend", "type": 1,
            "options": [{"name": "set", "type": 3, "value": "quick"}]}
    }"#;

    #[test]
    fn decoding_gives_what_serenity_gives() {
        for body in [
            CLICK,
            COMMAND,
            r#"{"type": 1, "id": "1", "application_id": "2", "token": "t", "version": 1}"#,
        ] {
            let ours = decode(body.as_bytes()).unwrap();
            let theirs: Interaction = serde_json::from_str(body).unwrap();
            let mut theirs = serde_json::to_value(&theirs).unwrap();
            if let Some(message) = theirs.get_mut("message") {
                // All but the clicked message's questions and buttons.
                message["embeds"] = json!([]);
                message["components"] = json!([]);
            }
            assert_eq!(serde_json::to_value(&ours).unwrap(), theirs);
        }
        let Ok(Interaction::Component(click)) = decode(CLICK.as_bytes()) else {
            panic!("a click");
        };
        assert_eq!(click.data.custom_id, "sp:abc:2:p1");
        assert_eq!(
            click.user.id.get(),
            1_100_000_000_000_000_002,
            "the member's user"
        );
        assert_eq!(click.message.id.get(), 1_100_000_000_000_000_003);
        assert!(click.message.embeds.is_empty() && click.message.components.is_empty());
    }

    #[test]
    fn a_click_is_accepted_or_refused_as_serenity_would_whatever_its_message() {
        let click: Value = serde_json::from_str(CLICK).unwrap();
        let with = |change: &dyn Fn(&mut Value)| {
            let mut body = click.clone();
            change(&mut body);
            let ours = decode(body.to_string().as_bytes()).is_ok();
            let theirs = serde_json::from_value::<Interaction>(body).is_ok();
            assert_eq!(ours, theirs);
            ours
        };
        // Discord leaves `components` out of a message without any.
        assert!(with(&|b| drop(
            b["message"].as_object_mut().unwrap().remove("components")
        )));
        assert!(!with(&|b| drop(
            b["message"].as_object_mut().unwrap().remove("embeds")
        )));
        assert!(!with(&|b| b["message"] = json!(5)));
        assert!(!with(&|b| b["message"]["embeds"] = json!("no")));
        assert!(!with(&|b| drop(
            b.as_object_mut().unwrap().remove("message")
        )));
        // What the lists hold is not read, so not checked either.
        let mut odd = click.clone();
        odd["message"]["embeds"] = json!([{ "title": 5 }]);
        assert!(decode(odd.to_string().as_bytes()).is_ok());
    }

    #[test]
    fn an_unknown_or_missing_type_or_a_broken_body_is_an_error() {
        assert!(decode(br#"{"type": 99, "id": "1"}"#).is_err());
        assert!(decode(br#"{"id": "1"}"#).is_err());
        assert!(decode(br#"{"type": "two"}"#).is_err());
        assert!(decode(b"not json").is_err());
        assert!(
            decode(br#"{"type": 3, "id": "1"}"#).is_err(),
            "a click without its fields"
        );
    }

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
