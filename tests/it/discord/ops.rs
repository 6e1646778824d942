//! Operations: SIGTERM and Ctrl-C drain the real `stackpick serve` (the interaction in
//! flight is finished, the gateway closed, exit code 0), and a gateway-only process
//! serves `/healthz` and `/metrics` on `[metrics] listen`, `/healthz` turning 503 while
//! the database does not answer.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use stackpick::store::{PostgresStore, SessionStore, SqliteStore};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::{callback_type, eventually, guild_user, Bot, Process, T};
use crate::store::{Backend, Db};
use crate::support::fake_discord::payloads;
use crate::support::fake_discord::FakeDiscord;

/// How long the fake holds the bot's callback: the interaction is in flight that long.
const SLOW_DISCORD: Duration = Duration::from_millis(1_500);

/// Sends `signal` to `stackpick serve` while it waits for Discord to take its answer
/// to `/recommend`, and checks that it drains.
async fn drains_on(signal: &str) {
    let fake = FakeDiscord::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut process = Process::start(&fake, dir.path()).await;
    fake.delay_callbacks(SLOW_DISCORD);
    let interaction = payloads::slash_command("recommend", json!([]), &guild_user("sig"));
    let token = interaction["token"].as_str().unwrap().to_owned();
    fake.dispatch("INTERACTION_CREATE", interaction)
        .await
        .unwrap();
    fake.wait_for_delayed_callbacks(1, T).await.unwrap();

    // The answer is on its way to Discord: now the signal.
    process.signal(signal);
    // The gateway connection closes at once, so no new interaction comes in...
    eventually("the gateway connection to close", || {
        fake.shards().is_empty()
    })
    .await;
    let refused = payloads::slash_command("help", json!([]), &guild_user("late"));
    assert!(fake.dispatch("INTERACTION_CREATE", refused).await.is_err());
    assert!(
        process.exited().is_none(),
        "SIG{signal}: exited with the interaction still in flight"
    );
    // ...while the one in flight is finished: Discord gets its answer, then the process
    // exits, with code 0.
    let call = fake.wait_for_callback(&token, T).await.unwrap();
    assert_eq!((call.status, callback_type(&call)), (204, 4), "{call:?}");
    let (status, gone) = process.wait_exit(T).await;
    assert_eq!(status.code(), Some(0), "SIG{signal}: {status}");
    assert!(
        gone >= call.received + SLOW_DISCORD,
        "SIG{signal}: exited before Discord answered the callback"
    );
    // And the conversation it started is stored, waiting for the first answer.
    let path = dir.path().join("stackpick.db");
    let store = tokio::task::spawn_blocking(move || SqliteStore::open(&path))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(store.count_open().await.unwrap(), 1);
    fake.assert_no_violations();
}

#[tokio::test]
async fn sigterm_finishes_the_interaction_in_flight_and_exits_0() {
    drains_on("TERM").await;
}

#[tokio::test]
async fn ctrl_c_finishes_the_interaction_in_flight_and_exits_0() {
    drains_on("INT").await;
}

/// `GET http://{addr}{path}`: status, content type and body.
async fn get(addr: SocketAddr, path: &str) -> (u16, String, String) {
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let response = client
        .get(format!("http://{addr}{path}"))
        .timeout(T)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let kind = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (status, kind, response.text().await.unwrap())
}

/// The value of the sample `series` (name and labels, as rendered) in a Prometheus
/// text exposition, or 0 if absent.
fn sample(text: &str, series: &str) -> f64 {
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .map_or(0.0, |value| value.trim().parse().unwrap())
}

const METRICS_ONLY: &str = "[metrics]\nlisten = \"127.0.0.1:0\"\n";

#[tokio::test]
async fn a_gateway_only_process_serves_health_and_metrics() {
    let fake = FakeDiscord::start().await.unwrap();
    let bot = Bot::start_on(fake, METRICS_ONLY).await;
    let addr = bot.listen_addr().expect("[metrics] listen is served");
    assert!(addr.ip().is_loopback() && addr.port() != 0, "{addr}");

    assert_eq!(get(addr, "/healthz").await.0, 200);
    let commands = "stackpick_interactions_total{kind=\"command\",outcome=\"ok\"}";
    let (_, _, before) = get(addr, "/metrics").await;
    let (call, _) = bot.command("help", json!([]), &guild_user("mia")).await;
    assert_eq!(callback_type(&call), 4);
    let (status, kind, text) = get(addr, "/metrics").await;
    assert_eq!(status, 200);
    assert!(kind.starts_with("text/plain"), "{kind}");
    for line in [
        "# TYPE stackpick_interactions_total counter",
        "# TYPE stackpick_interaction_duration_seconds histogram",
        "stackpick_interaction_duration_seconds_bucket{kind=\"command\",le=\"0.005\"}",
        "stackpick_interaction_duration_seconds_count{kind=\"command\"}",
        "# TYPE stackpick_shard_connected gauge",
        "stackpick_shard_connected{shard=\"0\"}",
        "# TYPE stackpick_open_conversations gauge",
    ] {
        assert!(text.contains(line), "no `{line}` in:\n{text}");
    }
    // Other tests' bots share this test process's metrics: at least ours counted.
    assert!(
        sample(&text, commands) >= sample(&before, commands) + 1.0,
        "{text}"
    );
    // Only health and metrics here: no interactions endpoint on a gateway-only process.
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let status = client
        .post(format!("http://{addr}/interactions"))
        .body("{}")
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status.as_u16(), 404);
    bot.fake.assert_no_violations();
}

/// A TCP relay on loopback in front of PostgreSQL that can be cut: while down, it drops
/// the connections it relays and refuses new ones, as a database that stopped answering.
struct Relay {
    addr: SocketAddr,
    up: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl Relay {
    async fn start(target: String) -> Relay {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (up, state) = watch::channel(true);
        let task = tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                if !*state.borrow() {
                    continue; // dropped: the connection is closed at once
                }
                let (target, mut state) = (target.clone(), state.clone());
                tokio::spawn(async move {
                    let Ok(mut outbound) = TcpStream::connect(&target).await else {
                        return;
                    };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => {}
                        _ = state.wait_for(|up| !*up) => {}
                    }
                });
            }
        });
        Relay { addr, up, task }
    }

    fn set_up(&self, up: bool) {
        self.up.send_replace(up);
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.set_up(false);
        self.task.abort();
    }
}

/// The `host:port` of the PostgreSQL server `url` names.
fn server_of(url: &str) -> String {
    let config: tokio_postgres::Config = url.parse().unwrap();
    let host = match config.get_hosts().first() {
        Some(tokio_postgres::config::Host::Tcp(host)) => host.clone(),
        other => panic!("a TCP host is needed, not {other:?}"),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    format!("{host}:{port}")
}

/// `url` (a PostgreSQL URL) as connection parameters that reach the server through
/// `relay`.
fn through(url: &str, relay: SocketAddr) -> String {
    let config: tokio_postgres::Config = url.parse().unwrap();
    let quote = |value: &str| format!("'{}'", value.replace('\\', "\\\\").replace('\'', "\\'"));
    let mut params = format!("host={} port={}", relay.ip(), relay.port());
    if let Some(user) = config.get_user() {
        params.push_str(&format!(" user={}", quote(user)));
    }
    if let Some(password) = config.get_password() {
        params.push_str(&format!(
            " password={}",
            quote(&String::from_utf8_lossy(password))
        ));
    }
    if let Some(dbname) = config.get_dbname() {
        params.push_str(&format!(" dbname={}", quote(dbname)));
    }
    params
}

#[tokio::test]
async fn health_is_503_while_postgresql_does_not_answer() {
    let Some(db) = Db::new(Backend::Postgres).await else {
        return;
    };
    let (url, schema) = db.postgres().unwrap();
    let relay = Relay::start(server_of(url)).await;
    let store = PostgresStore::connect(&through(url, relay.addr), Some(schema))
        .await
        .unwrap();
    let fake = FakeDiscord::start().await.unwrap();
    let bot = Bot::start_on_store(fake, Arc::new(store), METRICS_ONLY).await;
    let addr = bot.listen_addr().unwrap();
    assert_eq!(get(addr, "/healthz").await.0, 200);

    // The database goes away: its connections are cut and new ones refused.
    relay.set_up(false);
    let (status, _, body) = get(addr, "/healthz").await;
    assert_eq!(status, 503, "{body}");
    let (_, _, text) = get(addr, "/metrics").await;
    assert!(
        text.contains("stackpick_database_errors_total{operation=\"ping\"}"),
        "{text}"
    );

    // It comes back: so does the health check, without a restart.
    relay.set_up(true);
    eventually_healthy(addr).await;
    bot.fake.assert_no_violations();
}

/// Waits until `/healthz` answers 200 again.
async fn eventually_healthy(addr: SocketAddr) {
    let deadline = std::time::Instant::now() + T;
    while get(addr, "/healthz").await.0 != 200 {
        assert!(std::time::Instant::now() < deadline, "still unhealthy");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
