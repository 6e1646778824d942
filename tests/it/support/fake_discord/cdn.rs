//! The fake's CDN: files attached to commands, served at `/attachments/{id}/{name}`
//! as Discord's CDN would, or the ways a host can misbehave (a download that stalls,
//! never ends, announces more than the limit, or names the wrong content type), for
//! the bot's download limits to meet.

use std::convert::Infallible;
use std::sync::{Arc, PoisonError};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use futures_util::stream::{self, StreamExt as _};

use super::Shared;

/// How a hosted file is served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Serving {
    /// Its bytes, with a `Content-Length` (as the CDN does).
    Plain,
    /// Nothing for a minute, then 404 (to stop a bot in the middle of an upload).
    Stalled,
    /// Headers and the first bytes, then nothing ever again (a host that stalls
    /// mid-body: only a total timeout ends it).
    Trickle,
    /// Its bytes again and again, without `Content-Length` (chunked) and without end:
    /// only a byte cap stops the reader.
    Endless,
    /// Its bytes with this `Content-Type` instead of the attachment's.
    ContentType(String),
}

/// `GET /attachments/{id}/{name}`: a hosted file as its [`Serving`] says, or 404.
pub(super) async fn serve(
    State(shared): State<Arc<Shared>>,
    Path((id, name)): Path<(String, String)>,
) -> Response {
    let key = format!("{id}/{name}");
    let hosted = shared
        .attachments
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get(&key)
        .cloned();
    let Some((bytes, serving)) = hosted else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let bytes = Bytes::from(bytes);
    match serving {
        Serving::Plain => bytes.into_response(),
        Serving::Stalled => {
            tokio::time::sleep(Duration::from_secs(60)).await;
            StatusCode::NOT_FOUND.into_response()
        }
        Serving::Trickle => {
            let head = bytes.slice(..bytes.len().min(16));
            let body =
                stream::once(async move { Ok::<_, Infallible>(head) }).chain(stream::pending());
            Body::from_stream(body).into_response()
        }
        Serving::Endless => {
            let body = stream::repeat(bytes).map(Ok::<_, Infallible>);
            Body::from_stream(body).into_response()
        }
        Serving::ContentType(kind) => ([(header::CONTENT_TYPE, kind)], bytes).into_response(),
    }
}
