//! The baselines of `LOAD_COMPARE=1`: the least a serenity 0.12 bot can do with the
//! same features as stackpick, compiled into the load benchmark's own binary so
//! `cargo bench --bench load` always has them. The comparison re-executes this binary
//! with `LOAD_ROLE` set (pinned to CPU 0) and these run instead of the benchmark:
//!
//! - `LOAD_ROLE=bare-gateway`: serenity's client with the same crate features, intents
//!   (`DIRECT_MESSAGES`), REST client (through the fake's proxy URL, rate limiter off) and
//!   runtime (`tokio::runtime::Runtime::new()`) as `stackpick serve`; it answers every
//!   command and click with one fixed ephemeral message (a type 4 callback over REST).
//!   Settings: `LOAD_PROXY` (the fake's URL).
//! - `LOAD_ROLE=bare-http`: axum 0.7 on `LOAD_LISTEN` with `TCP_NODELAY`, serenity's
//!   `interactions_endpoint::Verifier` over `LOAD_PUBLIC_KEY`, the body parsed as
//!   serenity's `Interaction`, and the same fixed ephemeral message answered inline
//!   (type 4; a PING gets type 1).
//!
//! Neither stores, logs or records metrics: they are the floor that anything built on
//! serenity (or on axum and the verifier) stands on.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::{bail, Context as _, Result};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use serenity::all::{
    ClientBuilder, Context, CreateInteractionResponse, CreateInteractionResponseMessage,
    EventHandler, GatewayIntents, HttpBuilder, Interaction,
};
use serenity::async_trait;
use serenity::interactions_endpoint::Verifier;

/// The one message both baselines answer with.
const TEXT: &str = "Thanks! This is the bare baseline's fixed answer.";

/// Runs the baseline `role` until killed.
pub fn run(role: &str) -> Result<()> {
    // As `stackpick serve` builds its runtime.
    let runtime = tokio::runtime::Runtime::new()?;
    match role {
        "bare-gateway" => runtime.block_on(gateway()),
        "bare-http" => runtime.block_on(http()),
        other => bail!("unknown LOAD_ROLE `{other}` (bare-gateway or bare-http)"),
    }
}

fn env(name: &str) -> Result<String> {
    std::env::var(name).with_context(|| format!("{name} is not set"))
}

async fn gateway() -> Result<()> {
    let http = HttpBuilder::new("fake-token")
        .proxy(env("LOAD_PROXY")?)
        .ratelimiter_disabled(true)
        .build();
    let mut client = ClientBuilder::new_with_http(http, GatewayIntents::DIRECT_MESSAGES)
        .event_handler(Bare)
        .await?;
    client.start().await?;
    Ok(())
}

/// The fixed ephemeral message, as a type 4 interaction response.
fn fixed() -> CreateInteractionResponse {
    CreateInteractionResponse::Message(
        CreateInteractionResponseMessage::new()
            .content(TEXT)
            .ephemeral(true),
    )
}

struct Bare;

#[async_trait]
impl EventHandler for Bare {
    async fn interaction_create(&self, ctx: Context, interaction: Interaction) {
        let answer = fixed();
        let sent = match &interaction {
            Interaction::Command(command) => command.create_response(&ctx.http, answer).await,
            Interaction::Component(click) => click.create_response(&ctx.http, answer).await,
            _ => Ok(()),
        };
        if let Err(e) = sent {
            eprintln!("bare-gateway: the callback failed: {e}");
        }
    }
}

async fn http() -> Result<()> {
    let listen: SocketAddr = env("LOAD_LISTEN")?.parse()?;
    let key: [u8; 32] = hex(&env("LOAD_PUBLIC_KEY")?).context("LOAD_PUBLIC_KEY")?;
    let verifier = Verifier::try_new(key).map_err(|e| anyhow::anyhow!("public key: {e}"))?;
    // The fixed answer, serialised once.
    let fixed = Bytes::from(serde_json::to_vec(&fixed())?);
    let app = Router::new()
        .route("/interactions", post(answer))
        .with_state(Arc::new((verifier, fixed)));
    let listener = tokio::net::TcpListener::bind(listen).await?;
    axum::serve(listener, app).tcp_nodelay(true).await?;
    Ok(())
}

fn hex(text: &str) -> Option<[u8; 32]> {
    let mut key = [0; 32];
    if text.len() != 64 {
        return None;
    }
    for (i, byte) in key.iter_mut().enumerate() {
        *byte = u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(key)
}

async fn answer(
    State(endpoint): State<Arc<(Verifier, Bytes)>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let (Some(signature), Some(timestamp)) = (
        header("x-signature-ed25519"),
        header("x-signature-timestamp"),
    ) else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    let (verifier, fixed) = &*endpoint;
    if verifier.verify(signature, timestamp, &body).is_err() {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let json = [("content-type", "application/json")];
    match serde_json::from_slice::<Interaction>(&body) {
        Ok(Interaction::Ping(_)) => (json, r#"{"type":1}"#).into_response(),
        Ok(_) => (json, fixed.clone()).into_response(),
        Err(_) => StatusCode::BAD_REQUEST.into_response(),
    }
}
