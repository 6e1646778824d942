//! Deterministic REST faults: "on the Nth request of route R, answer 429 / 5xx / slowly /
//! not at all". A test arms a rule with [`super::FakeDiscord::inject`]; every request
//! matching the rule's method and path pattern counts, and those numbered `nth ..
//! nth + times` get the fault instead of (or, for `Slow` and `Reset { served: true }`,
//! after) being served.
//!
//! Also the fake's HTTP server: a plain accept loop (instead of `axum::serve`) so a
//! request can drop its own connection, as a reset by Discord's edge would.

use std::sync::Arc;
use std::time::Duration;

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder;
use hyper_util::service::TowerToHyperService;
use serde_json::json;
use tokio::net::TcpListener;
use tokio::sync::Notify;
use tower::ServiceExt as _;

use super::{rest, Shared};

/// A fault the fake injects into a REST request.
#[derive(Clone, Debug, PartialEq)]
pub enum Fault {
    /// 429 Too Many Requests as Discord sends it: body `{message, retry_after, global}`,
    /// `Retry-After` and the `X-RateLimit-*` headers (`X-RateLimit-Global` and scope
    /// `global` for the global limit, scope `user` and the route's bucket otherwise).
    /// The request is not carried out.
    RateLimited {
        /// Seconds to wait, as Discord gives them (fractional in the body).
        retry_after: f64,
        /// The global limit rather than the route's.
        global: bool,
    },
    /// This status (500, 502, 503, 504) with Discord's error body; not carried out.
    Status(u16),
    /// Carried out (and recorded) as usual, but answered only after this long: longer
    /// than the client's timeout, the client gives up not knowing it went through.
    Slow(Duration),
    /// The connection is dropped with no answer. `served`: the request was carried out
    /// first (the client can't tell which).
    Reset {
        /// Whether the request took effect before the connection went.
        served: bool,
    },
}

/// An armed fault.
#[derive(Debug)]
pub(super) struct Rule {
    method: String,
    pattern: String,
    nth: usize,
    times: usize,
    seen: usize,
    fault: Fault,
}

impl Rule {
    pub(super) fn new(method: &str, pattern: &str, nth: usize, times: usize, fault: Fault) -> Self {
        Rule {
            method: method.to_ascii_uppercase(),
            pattern: pattern.to_owned(),
            nth: nth.max(1),
            times,
            seen: 0,
            fault,
        }
    }

    /// Counts a request; the fault if this one gets it.
    fn take(&mut self, method: &str, path: &str) -> Option<Fault> {
        if !method.eq_ignore_ascii_case(&self.method) || !matches(&self.pattern, path) {
            return None;
        }
        self.seen += 1;
        (self.seen >= self.nth && self.seen < self.nth + self.times).then(|| self.fault.clone())
    }
}

/// `pattern` matches `path` segment by segment, `*` matching any one segment.
fn matches(pattern: &str, path: &str) -> bool {
    let (mut path, mut pat) = (path.split('/'), pattern.split('/'));
    loop {
        match (path.next(), pat.next()) {
            (None, None) => break true,
            (Some(s), Some(p)) if p == "*" || p == s => {}
            _ => break false,
        }
    }
}

/// The fault for this request (path without `/api/v10`), if a rule gives it one. The
/// first matching rule that fires wins; every matching rule counts the request.
pub(super) fn take(shared: &Shared, method: &str, path: &str) -> Option<Fault> {
    let path = path.strip_prefix("/api/v10").unwrap_or(path);
    let mut st = shared.lock();
    let mut fired = None;
    for rule in &mut st.faults {
        let fault = rule.take(method, path);
        fired = fired.or(fault);
    }
    fired
}

/// Discord's answer for a fault that is an answer: (status, JSON body, headers).
fn answer(fault: &Fault, path: &str) -> Option<(u16, serde_json::Value, Response)> {
    match *fault {
        Fault::RateLimited {
            retry_after,
            global,
        } => {
            let body = json!({
                "message": "You are being rate limited.",
                "retry_after": retry_after,
                "global": global,
            });
            let mut response =
                (StatusCode::TOO_MANY_REQUESTS, axum::Json(body.clone())).into_response();
            let headers = response.headers_mut();
            let mut set = |name: &'static str, value: String| {
                if let Ok(value) = HeaderValue::from_str(&value) {
                    headers.insert(name, value);
                }
            };
            // The header is whole seconds, rounded up; the body has the precise value.
            set("retry-after", format!("{}", retry_after.ceil() as u64));
            if global {
                set("x-ratelimit-global", "true".to_owned());
                set("x-ratelimit-scope", "global".to_owned());
            } else {
                let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
                let reset = now.unwrap_or_default().as_secs_f64() + retry_after;
                set("x-ratelimit-limit", "5".to_owned());
                set("x-ratelimit-remaining", "0".to_owned());
                set("x-ratelimit-reset", format!("{reset:.3}"));
                set("x-ratelimit-reset-after", format!("{retry_after:.3}"));
                set("x-ratelimit-bucket", bucket(path));
                set("x-ratelimit-scope", "user".to_owned());
            }
            Some((429, body, response))
        }
        Fault::Status(status) => {
            let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let message = format!("{status}: {}", code.canonical_reason().unwrap_or("Error"));
            let body = json!({ "message": message, "code": 0 });
            let response = (code, axum::Json(body.clone())).into_response();
            Some((status, body, response))
        }
        Fault::Slow(_) | Fault::Reset { .. } => None,
    }
}

/// Answers a request that got `fault`: recorded (with the status it got, `0` for
/// none), served first for `Slow` and `Reset { served: true }`.
pub(super) async fn serve_faulted(
    shared: &Shared,
    incoming: &rest::Incoming<'_>,
    body: Result<rest::Body, String>,
    fault: Fault,
    connection: Option<Connection>,
) -> Response {
    if let Some((status, answer, response)) = answer(&fault, incoming.path) {
        let (json, files) = body.unwrap_or_default();
        rest::record(shared, incoming, json, files, status, Some(answer));
        return response;
    }
    match fault {
        Fault::Slow(delay) => {
            let reply = rest::serve(shared, incoming, body);
            // Cancelled with the request when the client gives up: it was served anyway.
            tokio::time::sleep(delay).await;
            reply.into_response()
        }
        _ => {
            if fault == (Fault::Reset { served: true }) {
                rest::serve(shared, incoming, body);
            } else {
                let (json, files) = body.unwrap_or_default();
                rest::record(shared, incoming, json, files, 0, None);
            }
            match connection {
                Some(connection) => connection.reset().await,
                None => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
            }
        }
    }
}

/// An opaque bucket id per route shape (ids replaced), as `X-RateLimit-Bucket` is.
fn bucket(path: &str) -> String {
    let shape: String = path
        .split('/')
        .map(|s| {
            if s.bytes().all(|b| b.is_ascii_digit()) && !s.is_empty() {
                "id"
            } else {
                s
            }
        })
        .collect::<Vec<_>>()
        .join("/");
    let hash = shape.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("{hash:016x}")
}

/// Lets a request drop the connection it came on.
#[derive(Clone)]
pub(super) struct Connection(pub(super) Arc<Notify>);

impl Connection {
    /// Drops the connection (no answer is sent) and never returns.
    pub(super) async fn reset(&self) -> Response {
        self.0.notify_one();
        std::future::pending().await
    }
}

/// Serves `app` on `listener` until the task is aborted: HTTP/1 with upgrades (the
/// gateway), no Nagle delay, and a [`Connection`] in every request's extensions.
pub(super) async fn serve(listener: TcpListener, app: Router) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        // Like Discord's servers, no Nagle delay: small gateway frames and replies go
        // out at once instead of waiting up to 40 ms for the client's delayed ACK.
        let _ = stream.set_nodelay(true);
        let dropped = Arc::new(Notify::new());
        let connection = Connection(Arc::clone(&dropped));
        let service = app.clone().map_request(
            move |mut request: axum::http::Request<hyper::body::Incoming>| {
                request.extensions_mut().insert(connection.clone());
                request
            },
        );
        tokio::spawn(async move {
            let builder = Builder::new(TokioExecutor::new());
            let conn = builder.serve_connection_with_upgrades(
                TokioIo::new(stream),
                TowerToHyperService::new(service),
            );
            tokio::select! {
                _ = conn => {}
                // Dropping the connection closes the socket mid-request.
                () = dropped.notified() => {}
            }
        });
    }
}
