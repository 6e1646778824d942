//! Sending to Discord again when a REST call failed on the way, without ever sending a
//! message twice.
//!
//! What serenity already does: talking to Discord directly, its rate limiter waits out
//! every 429 itself (the `Retry-After` of the route or of the global limit, and the
//! `X-RateLimit-*` buckets before sending), so no 429 reaches us. Behind `proxy_url` that
//! limiter is off (the proxy's job) and a 429 the proxy lets through comes back as an
//! error, without the `retry_after` (serenity's error keeps only the status). Nothing in
//! serenity retries a 5xx, a timeout or a dropped connection.
//!
//! So a failed call is retried here, up to [`ATTEMPTS`] times with a capped exponential
//! backoff, when repeating it is safe:
//! - [`Resend::Always`]: repeating can't duplicate anything — edits, opening a DM channel
//!   (Discord returns the same one), and channel messages sent with a nonce Discord
//!   enforces (`enforce_nonce`: a repeat returns the message already created). Retried
//!   after a 429, a 5xx, a timeout or a dropped connection.
//! - [`Resend::IfNotDelivered`]: interaction callbacks and follow-ups, which Discord can't
//!   deduplicate. Retried only when Discord surely did not act on the first one: a 429,
//!   or a connection that could not even be opened. After a 5xx, a timeout or a reset
//!   the message may exist already, so it is not sent again (the caller reports it).

use std::future::Future;
use std::time::Duration;

use serenity::http::HttpError;
use tracing::warn;

/// Tries per call (the first one included).
pub const ATTEMPTS: u32 = 4;
/// The first wait; doubled each time, up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_millis(250);
const MAX_BACKOFF: Duration = Duration::from_secs(2);

/// Whether a call may be sent again after a failure that left its fate unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resend {
    /// Repeating it can't duplicate anything.
    Always,
    /// Only when it surely did not reach Discord.
    IfNotDelivered,
}

/// What a failure says about whether Discord acted on the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// It didn't: a 429, or no connection could be made.
    NotDelivered,
    /// Can't tell: a 5xx, a timeout, a connection dropped before the answer.
    Unknown,
    /// Discord answered and refused it (a 4xx): sending it again won't help.
    Refused,
}

/// Classifies a serenity error.
pub fn failure(error: &serenity::Error) -> Failure {
    match error {
        serenity::Error::Http(HttpError::UnsuccessfulRequest(response)) => {
            status_failure(response.status_code.as_u16())
        }
        serenity::Error::Http(HttpError::Request(e)) if e.is_connect() => Failure::NotDelivered,
        serenity::Error::Http(HttpError::Request(_)) => Failure::Unknown,
        _ => Failure::Refused,
    }
}

/// What an error status says.
fn status_failure(status: u16) -> Failure {
    match status {
        429 => Failure::NotDelivered,
        500..=599 => Failure::Unknown,
        _ => Failure::Refused,
    }
}

/// Runs `call` until it succeeds, fails for good, or may not be repeated; `what` names
/// it in the logs.
pub async fn send<T, F, Fut>(what: &str, resend: Resend, call: F) -> serenity::Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = serenity::Result<T>>,
{
    send_after(FIRST_BACKOFF, what, resend, failure, call).await
}

/// [`send`] with the first backoff and the classification given.
async fn send_after<T, E, F, Fut>(
    mut backoff: Duration,
    what: &str,
    resend: Resend,
    failure: fn(&E) -> Failure,
    mut call: F,
) -> Result<T, E>
where
    E: std::fmt::Display,
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, E>>,
{
    let mut attempt = 1;
    loop {
        let error = match call().await {
            Ok(done) => return Ok(done),
            Err(error) => error,
        };
        let again = match failure(&error) {
            Failure::NotDelivered => true,
            Failure::Unknown => resend == Resend::Always,
            Failure::Refused => false,
        };
        if !again || attempt >= ATTEMPTS {
            return Err(error);
        }
        warn!(error = %error, attempt, what, "a call to Discord failed; trying again");
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(MAX_BACKOFF);
        attempt += 1;
    }
}

/// A nonce for one channel message (the same for all its tries): unique enough for
/// Discord's check, which only looks at the last few minutes.
pub fn nonce() -> serenity::all::Nonce {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let count = NEXT.fetch_add(1, Ordering::Relaxed);
    let now = crate::store::now_ms();
    // At most 25 characters: 11 of milliseconds, 8 of process, 6 of counter.
    let text = format!("{:x}{:x}{:06x}", now, std::process::id(), count & 0xff_ffff);
    serenity::all::Nonce::String(text.chars().take(25).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    fn classify(status: &u16) -> Failure {
        status_failure(*status)
    }

    async fn tries(resend: Resend, errors: &[u16]) -> (u32, bool) {
        let calls = AtomicU32::new(0);
        let outcome = send_after(Duration::ZERO, "test", resend, classify, || {
            let n = calls.fetch_add(1, Ordering::Relaxed) as usize;
            let result = match errors.get(n) {
                Some(&code) => Err(code),
                None => Ok(()),
            };
            async move { result }
        })
        .await;
        (calls.load(Ordering::Relaxed), outcome.is_ok())
    }

    #[tokio::test]
    async fn only_what_cannot_duplicate_is_sent_again_after_an_unknown_failure() {
        assert_eq!(tries(Resend::Always, &[500, 502, 503]).await, (4, true));
        assert_eq!(tries(Resend::IfNotDelivered, &[500]).await, (1, false));
        assert_eq!(tries(Resend::IfNotDelivered, &[429, 429]).await, (3, true));
        assert_eq!(tries(Resend::Always, &[400]).await, (1, false), "refused");
        let (n, ok) = tries(Resend::Always, &[503, 503, 503, 503, 503]).await;
        assert_eq!((n, ok), (ATTEMPTS, false), "gives up");
    }

    #[test]
    fn nonces_fit_discord_and_differ() {
        let text = |n| match n {
            serenity::all::Nonce::String(text) => text,
            serenity::all::Nonce::Number(n) => n.to_string(),
        };
        let (a, b) = (text(nonce()), text(nonce()));
        assert_ne!(a, b);
        assert!(a.len() <= 25, "{a}");
    }
}
