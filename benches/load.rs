//! Load benchmark: the real bot (serenity client, SQLite store) against the fake Discord
//! on loopback, driven by many concurrent users clicking through the `quick` set.
//!
//! `cargo bench --bench load` prints interactions per second and the latency from the
//! fake dispatching INTERACTION_CREATE to it receiving the bot's callback, in two runs:
//!
//! - *saturation*: every user sends its next interaction as soon as the previous one is
//!   answered (a closed loop), which measures the most the bot gets through. Latency
//!   there is mostly queueing: with N interactions always in flight it is about
//!   N ÷ throughput (Little's law).
//! - *paced*: the same users together send a fixed rate (default 2,000 interactions/s),
//!   which measures the latency at that load. Latency counts from when an interaction
//!   was *due*, so a driver that falls behind shows up in the numbers rather than
//!   hiding them.
//!
//! `LOAD_USERS` (default 50), `LOAD_INTERACTIONS` (5,000 per run), `LOAD_WARMUP` (500)
//! and `LOAD_RATE` (2,000 per second; 0 skips the paced run) change it.
//!
//! `LOAD_TRANSPORT=http` drives the bot as an HTTP interactions worker instead (no
//! gateway): the fake signs each interaction with Ed25519 and POSTs it to
//! `/interactions`, and the latency runs until the inline answer is back.
//! `LOAD_DATABASE=postgres` stores in PostgreSQL (a fresh schema at
//! `STACKPICK_TEST_POSTGRES`, default `postgres://postgres@127.0.0.1:5432/test`,
//! dropped afterwards) instead of a SQLite file.
//!
//! `LOAD_PIN=1` runs the bot as its own `stackpick serve` process pinned to CPU 0
//! (`taskset`) and this driver (with the fake) on CPU 1, so the numbers are what one
//! core of bot does; otherwise everything shares the machine in one process. Pinned,
//! each run also prints the bot's CPU per interaction (`/proc/<pid>/task/*/schedstat`)
//! and how busy each core was: when the driver's core is the busy one, the driver is
//! what limits the run, and one core of the bot serves `1 / CPU per interaction`.
//!
//! `LOAD_SOAK=300000` (milliseconds) adds a soak run after the others: saturated for
//! that long, sampling the bot's RSS and open database handles, failing if they grow
//! past stated bounds (see [`soak`]).
//!
//! `LOAD_COMPARE=1` runs stackpick side by side with a bare baseline instead, A B A B,
//! by scenario (`/recommend`, an answer click, the finishing click): see [`compare`].
//! The baselines ([`bare`]) are this very binary, re-executed with `LOAD_ROLE` set.
//!
//! `LOAD_BIN=PATH` runs that `stackpick` binary wherever the bot is its own process
//! (`LOAD_PIN=1`, `LOAD_COMPARE=1`), instead of the one cargo built beside this
//! benchmark. That one is built with the features the test suite's dependencies turn on
//! as well (cargo unifies them for benchmarks: HTTP/2 and WebSocket code in axum and
//! hyper, for the fake Discord); `cargo build --release` builds the binary as deployed.

#![allow(clippy::unwrap_used, clippy::expect_used)]

// The test suite's fake Discord, compiled into this benchmark as well; the benchmark
// uses only part of its API.
#[allow(dead_code)]
#[path = "../tests/it/support/fake_discord/mod.rs"]
mod fake_discord;

#[path = "load/bare.rs"]
mod bare;
#[path = "load/binary.rs"]
mod binary;
#[path = "load/compare.rs"]
mod compare;
#[path = "load/soak.rs"]
mod soak;

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Context as _, Result};
use serde_json::{json, Value};
use stackpick::config::{Config, HttpConfig, PublicKey};
use stackpick::discord::{self, State};
use stackpick::guide::Catalogue;
use stackpick::store::{PostgresStore, SqliteStore, Storage};

use fake_discord::payloads::{self, Origin, MEMBER_PERMISSIONS};
use fake_discord::FakeDiscord;

/// Upper bound for every wait.
const T: Duration = Duration::from_secs(10);

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() -> Result<()> {
    if let Ok(role) = std::env::var("LOAD_ROLE") {
        return bare::run(&role);
    }
    if std::env::var("LOAD_COMPARE").is_ok_and(|c| c == "1") {
        // Pinned before the runtime starts, so it runs one worker on CPU 1.
        pin_driver()?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?;
        return runtime.block_on(compare::run());
    }
    let users = env_or("LOAD_USERS", 50).max(1);
    let interactions = env_or("LOAD_INTERACTIONS", 5_000).max(1);
    let warmup = env_or("LOAD_WARMUP", 500);
    let rate = env_or("LOAD_RATE", 2_000);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(run(users, interactions, warmup, rate))
}

/// How interactions reach the bot.
#[derive(Clone)]
enum Transport {
    /// INTERACTION_CREATE over the gateway, answered with a REST callback.
    Gateway,
    /// Signed POSTs to this `/interactions` URL, answered inline.
    Http(String),
}

async fn run(users: usize, interactions: usize, warmup: usize, rate: usize) -> Result<()> {
    let fake = Arc::new(FakeDiscord::start().await?);
    fake.set_validation(false);
    let dir = tempfile::tempdir()?;
    let mut config = Config::from_parts(Path::new("load.toml"), "", Some("fake-token".into()))?;
    config.proxy_url = Some(fake.proxy_url());
    let http_mode = std::env::var("LOAD_TRANSPORT").is_ok_and(|t| t == "http");
    if http_mode {
        config.gateway.enabled = false;
        config.http = Some(HttpConfig {
            listen: "127.0.0.1:0".parse()?,
            public_key: PublicKey::parse(&fake.public_key_hex()).context("the fake's key")?,
        });
    }
    let postgres = std::env::var("LOAD_DATABASE").is_ok_and(|d| d == "postgres");
    let schema = format!("load_{}", std::process::id());
    let pg_url = std::env::var("STACKPICK_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned());
    let store: Arc<dyn Storage> = if postgres {
        // Creates the schema (the separate process then finds it by search_path).
        Arc::new(PostgresStore::connect(&pg_url, Some(&schema)).await?)
    } else {
        Arc::new(SqliteStore::open(&dir.path().join("stackpick.db"))?)
    };
    let pinned = std::env::var("LOAD_PIN").is_ok_and(|p| p == "1");
    let (bot, listen) = if pinned {
        drop(store);
        let database = if postgres {
            format!("{pg_url}?options=-c%20search_path%3D{schema}")
        } else {
            dir.path().join("stackpick.db").display().to_string()
        };
        let process = BotProcess::start(&fake, http_mode, &database, dir.path())?;
        let listen = process.listen;
        (Bot::Process(process), listen)
    } else {
        let state = State::new(&config, Catalogue::builtin().clone(), store)?;
        let app = discord::app::start(&config, Arc::new(state)).await?;
        let listen = app.listen_addr;
        (Bot::InProcess(app), listen)
    };
    let transport = match listen {
        Some(address) if http_mode => Transport::Http(format!("http://{address}/interactions")),
        _ => {
            fake.wait_ready(T).await.map_err(anyhow::Error::msg)?;
            Transport::Gateway
        }
    };
    println!(
        "transport: {}, database: {}",
        if http_mode {
            "HTTP endpoint"
        } else {
            "gateway"
        },
        if postgres { "PostgreSQL" } else { "SQLite" }
    );

    println!(
        "load: {users} concurrent users on the quick set, {interactions} interactions per run \
         after {warmup} to warm up"
    );
    if warmup > 0 {
        drive(&fake, &transport, users, warmup, None).await?;
    }
    let bot_pid = match &bot {
        Bot::Process(process) => Some(process.child.id()),
        Bot::InProcess(_) => None,
    };
    let usage = Usage::start(bot_pid)?;
    let started = Instant::now();
    let latencies = drive(&fake, &transport, users, interactions, None).await?;
    report("saturation", &latencies, started.elapsed());
    usage.report(interactions, started.elapsed())?;
    if rate > 0 {
        let usage = Usage::start(bot_pid)?;
        let started = Instant::now();
        let latencies = drive(&fake, &transport, users, interactions, Some(rate)).await?;
        report(&format!("paced at {rate}/s"), &latencies, started.elapsed());
        usage.report(interactions, started.elapsed())?;
    }
    let soaked = match env_or("LOAD_SOAK", 0) {
        0 => Ok(()),
        ms => {
            let pid = match &bot {
                Bot::InProcess(_) => std::process::id(),
                Bot::Process(process) => process.child.id(),
            };
            let length = Duration::from_millis(u64::try_from(ms)?);
            soak::run(&fake, &transport, users, length, pid).await
        }
    };

    match bot {
        Bot::InProcess(app) => app.shutdown().await,
        Bot::Process(mut process) => process.stop(),
    }
    if postgres {
        drop_schema(&pg_url, &schema).await?;
    }
    soaked?;
    let violations = fake.violations();
    if !violations.is_empty() {
        bail!(
            "the fake saw {} protocol violation(s), e.g. {}",
            violations.len(),
            violations[0]
        );
    }
    Ok(())
}

/// Runs `users` conversations concurrently until `total` interactions were answered,
/// as fast as possible or together at `rate` per second; returns every interaction's
/// latency, sorted.
async fn drive(
    fake: &Arc<FakeDiscord>,
    transport: &Transport,
    users: usize,
    total: usize,
    rate: Option<usize>,
) -> Result<Vec<Duration>> {
    let budget = Arc::new(AtomicUsize::new(total));
    let latencies = Arc::new(Mutex::new(Vec::with_capacity(total)));
    let start = tokio::time::Instant::now();
    let tasks: Vec<_> = (0..users)
        .map(|n| {
            let (fake, transport, budget, latencies) = (
                Arc::clone(fake),
                transport.clone(),
                Arc::clone(&budget),
                Arc::clone(&latencies),
            );
            // Each user sends every `users / rate` seconds, the users evenly staggered.
            let pace = rate.map(|rate| {
                let period = Duration::from_secs_f64(users as f64 / rate as f64);
                let first = start + period.mul_f64(n as f64 / users as f64);
                let mut ticks = tokio::time::interval_at(first, period);
                ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
                ticks
            });
            tokio::spawn(async move { user(&fake, &transport, n, pace, &budget, &latencies).await })
        })
        .collect();
    for task in tasks {
        task.await.context("a user task panicked")??;
    }
    let mut latencies = std::mem::take(&mut *latencies.lock().unwrap());
    latencies.sort_unstable();
    Ok(latencies)
}

/// Takes one interaction from the shared budget; false when it is spent.
fn take(budget: &AtomicUsize) -> bool {
    budget
        .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1))
        .is_ok()
}

/// One user: `/recommend set:quick`, four answers (a select, then buttons), the result;
/// again and again, picking different options each round. Paced by `pace` if given.
async fn user(
    fake: &FakeDiscord,
    transport: &Transport,
    n: usize,
    mut pace: Option<tokio::time::Interval>,
    budget: &AtomicUsize,
    latencies: &Mutex<Vec<Duration>>,
) -> Result<()> {
    let origin = Origin::guild(payloads::member(
        &payloads::user(&format!("load{n}")),
        MEMBER_PERMISSIONS,
    ));
    let quick = json!([{ "name": "set", "type": 3, "value": "quick" }]);
    let mut round = n;
    loop {
        if !take(budget) {
            return Ok(());
        }
        let due = next_due(&mut pace).await;
        let command = payloads::slash_command("recommend", quick.clone(), &origin);
        let (mut message, latency) = interact(fake, transport, command, 4, due).await?;
        latencies.lock().unwrap().push(latency);
        for question in 0..4 {
            if !take(budget) {
                return Ok(());
            }
            let due = next_due(&mut pace).await;
            let click = pick(&message, round + question, &origin)?;
            let (next, latency) = interact(fake, transport, click, 7, due).await?;
            latencies.lock().unwrap().push(latency);
            message = next;
        }
        if !message["embeds"][0]["title"]
            .as_str()
            .is_some_and(|t| t.contains("points"))
        {
            bail!("user {n}: no result after four answers: {message}");
        }
        round += 1;
    }
}

/// When a paced user's next interaction is due (waiting for it); `None` when unpaced.
async fn next_due(pace: &mut Option<tokio::time::Interval>) -> Option<Instant> {
    match pace {
        Some(ticks) => Some(ticks.tick().await.into_std()),
        None => None,
    }
}

/// A click on the `k`-th option of the question shown in `message`.
fn pick(message: &Value, k: usize, origin: &Origin) -> Result<Value> {
    let first = &message["components"][0]["components"];
    let Some(options) = first.as_array().filter(|o| !o.is_empty()) else {
        bail!("no components in {message}");
    };
    let interaction = if options[0]["type"] == 3 {
        let choices = options[0]["options"].as_array().context("select options")?;
        let value = choices[k % choices.len()]["value"]
            .as_str()
            .context("value")?;
        let id = options[0]["custom_id"].as_str().context("custom_id")?;
        payloads::component_click(id, 3, &[value], message, origin)
    } else {
        let id = options[k % options.len()]["custom_id"]
            .as_str()
            .context("custom_id")?;
        payloads::component_click(id, 2, &[], message, origin)
    };
    Ok(interaction)
}

/// Dispatches an interaction, waits for the bot's callback (of the expected type) and
/// returns the message it created or updated, with the latency counted from the
/// dispatch, or from when the interaction was `due` if paced.
async fn interact(
    fake: &FakeDiscord,
    transport: &Transport,
    interaction: Value,
    kind: u64,
    due: Option<Instant>,
) -> Result<(Value, Duration)> {
    let token = interaction["token"].as_str().context("token")?.to_owned();
    let from = due.unwrap_or_else(Instant::now);
    match transport {
        Transport::Gateway => fake
            .dispatch("INTERACTION_CREATE", interaction)
            .await
            .map_err(anyhow::Error::msg)?,
        Transport::Http(url) => {
            let answer = fake
                .post_interaction(url, interaction)
                .await
                .map_err(anyhow::Error::msg)?;
            if answer.status != 200 {
                bail!("the endpoint answered {}: {}", answer.status, answer.text);
            }
        }
    }
    let call = fake
        .wait_for_callback(&token, T)
        .await
        .map_err(anyhow::Error::msg)?;
    let mut latency = call.received.saturating_duration_since(from);
    let body = call.body.as_ref().context("callback body")?;
    // Over the HTTP endpoint a result carries its chart, which an inline answer can't:
    // the click is acknowledged (6) and the result edited in over REST; the latency
    // runs to that edit.
    let deferred = matches!(transport, Transport::Http(_))
        && kind == 7
        && call.status == 204
        && body["type"] == 6;
    if deferred {
        let edit = fake
            .wait_for_original_edit(&token, T)
            .await
            .map_err(|e| anyhow::anyhow!("the result's edit: {e}"))?;
        latency = edit.received.saturating_duration_since(from);
    } else if call.status != 204 || body["type"] != kind {
        bail!("unexpected callback {} {body}", call.status);
    }
    let message = fake
        .original_response(&token)
        .context("the callback has a message")?;
    Ok((message, latency))
}

fn report(run: &str, sorted: &[Duration], elapsed: Duration) {
    let at = |q: f64| {
        let i = ((sorted.len() as f64 * q).ceil() as usize).clamp(1, sorted.len()) - 1;
        sorted[i]
    };
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "  {run:<18} {:>5.0} interactions/s · latency p50 {:.2} ms · p90 {:.2} ms · \
         p99 {:.2} ms · max {:.2} ms",
        sorted.len() as f64 / elapsed.as_secs_f64(),
        ms(at(0.50)),
        ms(at(0.90)),
        ms(at(0.99)),
        ms(at(1.0))
    );
}

/// The CPU the bot's own process (`LOAD_PIN=1`) and this driver use over a run: what
/// an interaction costs the bot, so what one core of it can serve even when the driver,
/// on the other core, is what limits the run.
struct Usage {
    bot: Option<(u32, u64)>,
    driver: u64,
}

impl Usage {
    fn start(bot: Option<u32>) -> Result<Usage> {
        Ok(Usage {
            bot: bot
                .map(|pid| Ok::<_, anyhow::Error>((pid, compare::cpu_ns(pid)?)))
                .transpose()?,
            driver: compare::cpu_ticks(std::process::id())?,
        })
    }

    fn report(&self, interactions: usize, elapsed: Duration) -> Result<()> {
        let Some((pid, before)) = self.bot else {
            return Ok(());
        };
        let ticks = compare::clock_ticks()?;
        let bot_s = compare::cpu_ns_since(pid, before)? as f64 / 1e9;
        let driver_s = (compare::cpu_ticks(std::process::id())? - self.driver) as f64 / ticks;
        let per = bot_s / interactions as f64;
        println!(
            "  {:<18} {:.0} µs of the bot's CPU per interaction (one core of it: {:.0} \
             interactions/s) · bot core {:.0} % busy, driver {:.0} %",
            "",
            per * 1e6,
            1.0 / per,
            bot_s / elapsed.as_secs_f64() * 100.0,
            driver_s / elapsed.as_secs_f64() * 100.0
        );
        Ok(())
    }
}

/// Drops the benchmark's PostgreSQL schema.
async fn drop_schema(url: &str, schema: &str) -> Result<()> {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls).await?;
    tokio::spawn(connection);
    client
        .batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
        .await?;
    Ok(())
}

/// Pins this driver (every thread, with the fake) to CPU 1, leaving CPU 0 to the bot.
fn pin_driver() -> Result<()> {
    let me = std::process::id().to_string();
    let pinned = std::process::Command::new("taskset")
        .args(["-a", "-cp", "1", &me])
        .stdout(std::process::Stdio::null())
        .status()
        .context("taskset is needed to pin the bot and the driver")?;
    if !pinned.success() {
        bail!("could not pin the driver to CPU 1");
    }
    Ok(())
}

/// The bot under load: in this process, or its own pinned process.
enum Bot {
    InProcess(discord::app::App),
    Process(BotProcess),
}

/// `stackpick serve` on CPU 0, configured against the fake.
struct BotProcess {
    child: std::process::Child,
    listen: Option<std::net::SocketAddr>,
}

impl BotProcess {
    fn start(
        fake: &FakeDiscord,
        http_mode: bool,
        database: &str,
        dir: &Path,
    ) -> Result<BotProcess> {
        pin_driver()?;
        let listen = http_mode.then(|| {
            let socket = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
            socket.local_addr().expect("its address")
        });
        let mut config = format!(
            "proxy_url = \"{}\"\ndatabase = \"{database}\"\nlog_level = \"warn\"\n",
            fake.proxy_url()
        );
        if let Some(listen) = listen {
            config.push_str(&format!(
                "[gateway]\nenabled = false\n[http]\nlisten = \"{listen}\"\npublic_key = \"{}\"\n",
                fake.public_key_hex()
            ));
        }
        let path = dir.join("config.toml");
        std::fs::write(&path, config)?;
        let child = std::process::Command::new("taskset")
            .args(["-c", "0"])
            .arg(binary::stackpick())
            .arg("--config")
            .arg(&path)
            .arg("serve")
            .env("DISCORD_TOKEN", "fake-token")
            .spawn()
            .context("could not start stackpick serve")?;
        if let Some(listen) = listen {
            // Wait until it listens.
            let deadline = Instant::now() + T;
            while std::net::TcpStream::connect(listen).is_err() {
                if Instant::now() > deadline {
                    bail!("the bot process never listened on {listen}");
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        Ok(BotProcess { child, listen })
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
