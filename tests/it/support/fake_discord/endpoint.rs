//! Discord's side of an Interactions Endpoint URL: interactions POSTed to the bot, signed
//! with a fixed Ed25519 test key over `timestamp + body`, and the bot's inline answer
//! handled like the REST callback it replaces.

use std::sync::OnceLock;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use ed25519_dalek::{Signer as _, SigningKey};
use reqwest::header::CONTENT_TYPE;
use serde_json::{json, Value};

use super::payloads::id_of;
use super::rest::{self, Body, Incoming};
use super::Shared;

/// The test key's secret (never a real key: tests need a fixed, public one).
const SECRET_KEY: [u8; 32] = *b"stackpick fake discord test key!";
/// Hex Ed25519 signature of `timestamp + body`.
const SIGNATURE: &str = "X-Signature-Ed25519";
/// Unix seconds, as a decimal string.
const TIMESTAMP: &str = "X-Signature-Timestamp";
/// How long the fake waits for an answer. Discord gives up after 3 s; waiting longer lets
/// a late answer be recorded (and reported as late) instead of lost.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(10);

/// The bot's answer to a request the fake sent to its Interactions Endpoint URL.
#[derive(Clone, Debug)]
pub struct HttpAnswer {
    /// HTTP status code.
    pub status: u16,
    /// The `Content-Type` header, if any.
    pub content_type: Option<String>,
    /// The body, if it is JSON.
    pub body: Option<Value>,
    /// The body as text (lossy UTF-8), for messages.
    pub text: String,
}

fn key() -> &'static SigningKey {
    static KEY: OnceLock<SigningKey> = OnceLock::new();
    KEY.get_or_init(|| SigningKey::from_bytes(&SECRET_KEY))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The test key's public half, as the developer portal shows an application's key.
pub(super) fn public_key_hex() -> String {
    hex(key().verifying_key().as_bytes())
}

/// `X-Signature-Ed25519` for `body` sent at `timestamp`.
fn sign(timestamp: &str, body: &[u8]) -> String {
    let message = [timestamp.as_bytes(), body].concat();
    hex(&key().sign(&message).to_bytes())
}

/// An HTTP client for loopback (no proxy from the environment).
pub(super) fn client() -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder().no_proxy().build()
}

/// An interaction serialised and signed ahead of sending (see
/// [`super::FakeDiscord::sign_interaction`]).
#[derive(Clone, Debug)]
pub struct Signed {
    pub(super) interaction: Value,
    pub(super) body: Vec<u8>,
    pub(super) timestamp: String,
    pub(super) signature: String,
}

impl Signed {
    /// The interaction it carries.
    #[allow(dead_code)]
    pub fn interaction(&self) -> &Value {
        &self.interaction
    }
}

/// Now, in Unix seconds, as `X-Signature-Timestamp` carries it.
fn timestamp_now() -> String {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs()
        .to_string()
}

/// `interaction` serialised and signed as of now.
pub(super) fn sign_interaction(interaction: Value) -> Result<Signed, String> {
    let body = serde_json::to_vec(&interaction).map_err(|e| e.to_string())?;
    let timestamp = timestamp_now();
    let signature = sign(&timestamp, &body);
    Ok(Signed {
        interaction,
        body,
        timestamp,
        signature,
    })
}

/// Sends `body` signed, with `headers` replacing the default ones of the same name (an
/// empty value drops the header).
pub(super) async fn send_signed(
    client: &reqwest::Client,
    url: &str,
    method: &str,
    body: Vec<u8>,
    headers: &[(&str, &str)],
) -> Result<HttpAnswer, String> {
    let timestamp = timestamp_now();
    let signature = sign(&timestamp, &body);
    send(client, url, method, body, &timestamp, &signature, headers).await
}

/// Sends `body` with the signature headers given, then `headers` replacing the default
/// ones of the same name (an empty value drops the header).
async fn send(
    client: &reqwest::Client,
    url: &str,
    method: &str,
    body: Vec<u8>,
    timestamp: &str,
    signature: &str,
    headers: &[(&str, &str)],
) -> Result<HttpAnswer, String> {
    let mut all = vec![
        ("Content-Type", "application/json"),
        (SIGNATURE, signature),
        (TIMESTAMP, timestamp),
    ];
    for &(name, value) in headers {
        all.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        if !value.is_empty() {
            all.push((name, value));
        }
    }
    let method = reqwest::Method::from_bytes(method.as_bytes()).map_err(|e| e.to_string())?;
    let mut request = client
        .request(method.clone(), url)
        .timeout(ANSWER_TIMEOUT)
        .body(body);
    for (name, value) in all {
        request = request.header(name, value);
    }
    let failed = |e: reqwest::Error| format!("{method} {url}: {e}");
    let response = request.send().await.map_err(failed)?;
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let bytes = response.bytes().await.map_err(failed)?;
    Ok(HttpAnswer {
        status,
        content_type,
        body: serde_json::from_slice(&bytes).ok(),
        text: String::from_utf8_lossy(&bytes).into_owned(),
    })
}

/// POSTs a signed interaction and handles the answer as Discord would (see
/// [`super::FakeDiscord::post_interaction`]).
pub(super) async fn post_interaction(
    shared: &Shared,
    client: &reqwest::Client,
    url: &str,
    signed: Signed,
) -> Result<HttpAnswer, String> {
    let Signed {
        interaction,
        body,
        timestamp,
        signature,
    } = signed;
    let interaction = &interaction;
    let ping = interaction["type"].as_u64() == Some(1);
    shared.lock().sent(interaction, !ping);
    let answer = send(client, url, "POST", body, &timestamp, &signature, &[]).await?;
    if ping {
        check_pong(shared, url, &answer);
    } else if answer.status == 200 {
        record_callback(shared, interaction, &answer);
    } else {
        shared.violation(format!(
            "POST {url}: interaction {} answered {} {:?}; Discord shows \"This interaction \
             failed\"",
            id_of(interaction).unwrap_or_default(),
            answer.status,
            answer.text
        ));
    }
    Ok(answer)
}

/// A PING must be answered 200 `{"type":1}` (PONG), or Discord rejects the URL.
fn check_pong(shared: &Shared, url: &str, answer: &HttpAnswer) {
    if answer.status != 200 || answer.body != Some(json!({ "type": 1 })) {
        shared.violation(format!(
            "POST {url}: PING answered {} {:?}; Discord expects 200 {{\"type\":1}}",
            answer.status, answer.text
        ));
    }
}

/// Records a 200 answer as the callback request it stands for, through the same route,
/// validation and protocol checks as `POST /interactions/{id}/{token}/callback`.
fn record_callback(shared: &Shared, interaction: &Value, answer: &HttpAnswer) {
    let id = id_of(interaction).unwrap_or_default();
    let token = interaction["token"].as_str().unwrap_or_default();
    let path = format!("/api/v10/interactions/{id}/{token}/callback");
    let incoming = Incoming {
        method: "POST",
        path: &path,
        query: None,
        authorized: false,
        inline: true,
        received: Instant::now(),
    };
    rest::serve(shared, &incoming, answer_body(answer));
}

/// The answer's interaction response: JSON, as Discord requires of an inline answer.
fn answer_body(answer: &HttpAnswer) -> Result<Body, String> {
    let content_type = answer.content_type.as_deref().unwrap_or_default();
    if !content_type.starts_with("application/json") {
        return Err(format!(
            "answered with Content-Type {content_type:?}; Discord expects application/json"
        ));
    }
    let body = answer
        .body
        .clone()
        .ok_or_else(|| format!("the answer is not JSON: {:?}", answer.text))?;
    Ok((Some(body), Vec::new()))
}
