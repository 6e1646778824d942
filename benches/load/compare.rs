//! `LOAD_COMPARE=1`: stackpick side by side with the bare baseline of the same
//! transport ([`super::bare`]), A B A B in one run, so that every claim is a ratio
//! against a baseline measured on the same machine at the same time.
//!
//! ```sh
//! LOAD_COMPARE=1 cargo bench --bench load                        # gateway: bare serenity bot
//! LOAD_COMPARE=1 LOAD_TRANSPORT=http cargo bench --bench load    # HTTP: bare axum + Ed25519
//! ```
//!
//! Each round starts a fresh fake Discord and a fresh bot process (the baseline, then
//! `stackpick serve` on a new SQLite file), the bot pinned to CPU 0 and this driver
//! with the fake on CPU 1 (`taskset`). Per process:
//!
//! - **idle RSS**: `VmRSS` of `/proc/<pid>/status` one second after READY (gateway) or
//!   after the endpoint listens (HTTP), before any interaction.
//! - a warm-up of `LOAD_WARMUP` interactions (whole conversations), not measured.
//! - then three scenarios, each measured twice, *saturated* (64 interactions always in
//!   flight: throughput, and the bot's CPU per interaction: its threads' CPU time from
//!   `/proc/<pid>/task/*/schedstat`, in ns, over the run ÷ interactions) and *paced* (open loop at
//!   `LOAD_RATE`, default 2,000/s: p99 latency, from sending each interaction to the
//!   fake receiving the answer):
//!   - `/recommend` (guild, `set:quick`): decode, resolve the set, store the new
//!     conversation, render the first question;
//!   - *answer click*: a click answering a question that is not the last (conversations
//!     are first brought, unmeasured, to each of those questions in turn);
//!   - *finishing click*: the click answering the last question (scoring, explanation,
//!     result stored); the conversations are brought to their last question first,
//!     unmeasured.
//!
//!   Every measured run is one kind of interaction only, built before it starts (so
//!   the driver only sends), from conversations set up by unmeasured phases; the bot's
//!   CPU is read after the setup has been answered and 50 ms after the last answer.
//!
//! Same payloads: the baseline gets exactly the interactions stackpick gets, setup
//! phases included; its clicks carry the very messages stackpick rendered (captured
//! from one stackpick conversation before the first round), though the baseline's
//! own answer is always its fixed message. Every interaction must get its answer (the
//! run fails after 10 s without one), of the expected type (4 for the baseline; 4 then
//! 7 for stackpick, the finishing click showing the result), and the fake fails the run
//! on any protocol violation such as an answer later than Discord's 3 s.
//!
//! `LOAD_ROUNDS` (default 3) rounds; `LOAD_INTERACTIONS` (default 4,000) per measured
//! run. `LOAD_PERF=DIR` also records each saturated run of each process with
//! `perf record -g` (attached for that run only) into `DIR/<bot>-<scenario>-<round>.data`.
//! `LOAD_SMAPS=DIR` keeps each process's memory map (`/proc/<pid>/smaps`) as it is when
//! the idle RSS is read, into `DIR/<bot>-<round>.smaps`, for a breakdown of that RSS.
//! The table prints min / median / max over the rounds, and the same for the ratio
//! stackpick ÷ baseline of each round's pair. The load average is printed too: the
//! numbers mean little on a machine busy with something else.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context as _, Result};
use serde_json::{json, Value};

use super::fake_discord::payloads::{self, Origin, MEMBER_PERMISSIONS};
use super::fake_discord::{FakeDiscord, Signed};
use super::{env_or, pick, T};

/// Interactions in flight in the saturated runs.
const IN_FLIGHT: usize = 64;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Bot {
    Baseline,
    Stackpick,
}

impl Bot {
    fn name(self) -> &'static str {
        match self {
            Bot::Baseline => "baseline",
            Bot::Stackpick => "stackpick",
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Scenario {
    Recommend,
    Answer,
    Finish,
}

const SCENARIOS: [Scenario; 3] = [Scenario::Recommend, Scenario::Answer, Scenario::Finish];

impl Scenario {
    fn name(self) -> &'static str {
        match self {
            Scenario::Recommend => "/recommend",
            Scenario::Answer => "answer click",
            Scenario::Finish => "finishing click",
        }
    }

    fn slug(self) -> &'static str {
        match self {
            Scenario::Recommend => "recommend",
            Scenario::Answer => "answer",
            Scenario::Finish => "finish",
        }
    }
}

/// The run's settings.
struct Settings {
    http: bool,
    rounds: usize,
    interactions: usize,
    warmup: usize,
    rate: usize,
    perf: Option<PathBuf>,
    smaps: Option<PathBuf>,
}

/// One scenario's numbers for one process.
#[derive(Clone, Copy, Default)]
struct Sample {
    throughput: f64,
    cpu_us: f64,
    p50_ms: f64,
    p99_ms: f64,
    /// The driver's CPU use in the saturated run (near 100 %: it, not the bot, limits).
    driver_busy: f64,
}

/// One process's numbers.
struct Measured {
    rss_mb: f64,
    samples: Vec<Sample>,
}

/// What stackpick showed in one conversation of the quick set: the message of each
/// question, then the result. Clicks of the baseline are built on these.
struct Templates {
    messages: Vec<Value>,
}

impl Templates {
    /// Clicks it takes to finish (the number of questions).
    fn questions(&self) -> usize {
        self.messages.len() - 1
    }
}

/// Runs the comparison and prints the table.
pub async fn run() -> Result<()> {
    let settings = Settings {
        http: std::env::var("LOAD_TRANSPORT").is_ok_and(|t| t == "http"),
        rounds: env_or("LOAD_ROUNDS", 3).max(1),
        interactions: env_or("LOAD_INTERACTIONS", 4_000).max(IN_FLIGHT),
        warmup: env_or("LOAD_WARMUP", 500),
        rate: env_or("LOAD_RATE", 2_000).max(1),
        perf: std::env::var_os("LOAD_PERF").map(PathBuf::from),
        smaps: std::env::var_os("LOAD_SMAPS").map(PathBuf::from),
    };
    for dir in [&settings.perf, &settings.smaps].into_iter().flatten() {
        std::fs::create_dir_all(dir)?;
    }
    let load_before = load_average();
    let (baseline, transport) = if settings.http {
        ("bare axum + Ed25519 responder", "HTTP endpoint")
    } else {
        ("bare serenity bot", "gateway")
    };
    println!(
        "A/B: {baseline} (A) and stackpick (B), {transport}, SQLite; {} rounds; {} interactions \
         per measured run; bot on CPU 0, driver and fake on CPU 1; load average {load_before}",
        settings.rounds, settings.interactions
    );
    let templates = capture(&settings).await?;
    println!(
        "captured stackpick's messages for the {} questions of the quick set",
        templates.questions()
    );
    let mut results: Vec<(Bot, Measured)> = Vec::new();
    for round in 1..=settings.rounds {
        for bot in [Bot::Baseline, Bot::Stackpick] {
            let measured = measure(&settings, &templates, bot, round).await?;
            print!(
                "round {round} {:<9} idle RSS {:5.1} MB",
                bot.name(),
                measured.rss_mb
            );
            for (scenario, s) in SCENARIOS.iter().zip(&measured.samples) {
                print!(
                    " · {} {:.0}/s {:.0} µs (driver {:.0} %) p99 {:.2} ms",
                    scenario.slug(),
                    s.throughput,
                    s.cpu_us,
                    s.driver_busy * 100.0,
                    s.p99_ms
                );
            }
            println!();
            results.push((bot, measured));
        }
    }
    table(&settings, &results, baseline, &load_before);
    Ok(())
}

/// `uptime`'s load average, as text.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".to_owned())
}

pub(super) fn clock_ticks() -> Result<f64> {
    let out = Command::new("getconf").arg("CLK_TCK").output()?;
    Ok(String::from_utf8_lossy(&out.stdout).trim().parse()?)
}

/// The CPU time of a process's live threads, in nanoseconds (the first field of each
/// `/proc/<pid>/task/<tid>/schedstat`): exact where `utime + stime` counts 10 ms
/// ticks, which over a run of a few thousand interactions is a few µs each. Threads
/// that exit during a run aren't counted; the bot's (runtime, database) live on.
pub(super) fn cpu_ns(pid: u32) -> Result<u64> {
    let (mut total, mut read) = (0, 0);
    for task in std::fs::read_dir(format!("/proc/{pid}/task"))? {
        let path = task?.path().join("schedstat");
        let stat = match std::fs::read_to_string(&path) {
            Ok(stat) => stat,
            // A thread that ended since the listing is not counted.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
        };
        let ns = stat
            .split_whitespace()
            .next()
            .context("an empty schedstat")?;
        total += ns.parse::<u64>()?;
        read += 1;
    }
    ensure!(read > 0, "no thread of process {pid} had a schedstat");
    Ok(total)
}

/// The CPU time between two [`cpu_ns`] readings, in ns; an error if it went backwards
/// (a thread that used CPU ended in between, so the reading would be wrong).
pub(super) fn cpu_ns_since(pid: u32, before: u64) -> Result<u64> {
    cpu_ns(pid)?.checked_sub(before).with_context(|| {
        format!("process {pid}'s CPU time went backwards: a busy thread of it ended")
    })
}

/// `utime + stime` of a process (all its threads, the exited ones too), in ticks.
pub(super) fn cpu_ticks(pid: u32) -> Result<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    // After the command name in parentheses: state is field 3, utime 14, stime 15.
    let rest = stat.rsplit_once(')').context("/proc/pid/stat")?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    Ok(fields[11].parse::<u64>()? + fields[12].parse::<u64>()?)
}

/// `VmRSS` of a process, in MB.
fn rss_mb(pid: u32) -> Result<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let line = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .context("no VmRSS")?;
    let kb: f64 = line
        .split_whitespace()
        .nth(1)
        .context("VmRSS value")?
        .parse()?;
    Ok(kb / 1000.0)
}

/// The file offsets of the pages of the process's executable that are resident in it,
/// with the mapping's permissions, one a line (`/proc/<pid>/pagemap`: the present bit is
/// bit 63), for mapping back to the functions and crates they hold.
fn resident_code_pages(pid: u32) -> Result<String> {
    use std::io::{Read as _, Seek as _, SeekFrom};
    let page: u64 = String::from_utf8(Command::new("getconf").arg("PAGESIZE").output()?.stdout)?
        .trim()
        .parse()
        .context("getconf PAGESIZE")?;
    let exe = std::fs::read_link(format!("/proc/{pid}/exe"))?;
    let maps = std::fs::read_to_string(format!("/proc/{pid}/maps"))?;
    let mut pagemap = std::fs::File::open(format!("/proc/{pid}/pagemap"))?;
    let mut out = String::new();
    let mut mapped = false;
    for line in maps.lines() {
        // range perms offset dev inode path (the path may hold spaces).
        let mut fields = line.splitn(6, ' ');
        let (Some(range), Some(perms), Some(offset)) =
            (fields.next(), fields.next(), fields.next())
        else {
            continue;
        };
        let path = fields.nth(2).unwrap_or_default().trim_start();
        if std::path::Path::new(path) != exe {
            continue;
        }
        mapped = true;
        let (start, end) = range.split_once('-').context("a maps range")?;
        let (start, end) = (
            u64::from_str_radix(start, 16)?,
            u64::from_str_radix(end, 16)?,
        );
        let offset = u64::from_str_radix(offset, 16)?;
        let pages = (end - start) / page;
        let mut entries = vec![0u8; usize::try_from(pages * 8)?];
        pagemap.seek(SeekFrom::Start(start / page * 8))?;
        pagemap.read_exact(&mut entries)?;
        for (i, entry) in entries.chunks_exact(8).enumerate() {
            let entry = u64::from_le_bytes(entry.try_into()?);
            if entry >> 63 == 1 {
                out.push_str(&format!("{perms} {:x}\n", offset + i as u64 * page));
            }
        }
    }
    ensure!(
        mapped,
        "{} is not mapped in process {pid} (replaced during the run?)",
        exe.display()
    );
    Ok(out)
}

/// How interactions reach a running bot.
#[derive(Clone)]
enum Transport {
    Gateway,
    Http(String),
}

/// A bot process pinned to CPU 0, with its own fake Discord.
struct Running {
    bot: Bot,
    fake: Arc<FakeDiscord>,
    child: Child,
    transport: Transport,
    _dir: tempfile::TempDir,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Running {
    fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Starts `bot` and waits until it is ready for interactions.
    async fn start(bot: Bot, http: bool) -> Result<Running> {
        let fake = Arc::new(FakeDiscord::start().await?);
        fake.set_validation(false);
        let dir = tempfile::tempdir()?;
        let listen = if http {
            let socket = std::net::TcpListener::bind("127.0.0.1:0")?;
            Some(socket.local_addr()?)
        } else {
            None
        };
        let mut command = Command::new("taskset");
        command.args(["-c", "0"]).stdout(Stdio::null());
        match bot {
            Bot::Stackpick => {
                let mut config = format!(
                    "proxy_url = \"{}\"\ndatabase = \"{}\"\nlog_level = \"warn\"\n",
                    fake.proxy_url(),
                    dir.path().join("stackpick.db").display()
                );
                if let Some(listen) = listen {
                    config.push_str(&format!(
                        "[gateway]\nenabled = false\n[http]\nlisten = \"{listen}\"\n\
                         public_key = \"{}\"\n",
                        fake.public_key_hex()
                    ));
                }
                let path = dir.path().join("config.toml");
                std::fs::write(&path, config)?;
                command
                    .arg(super::binary::stackpick())
                    .arg("--config")
                    .arg(&path)
                    .arg("serve")
                    .env("DISCORD_TOKEN", "fake-token");
            }
            Bot::Baseline => {
                command
                    .arg(std::env::current_exe()?)
                    .env("LOAD_ROLE", if http { "bare-http" } else { "bare-gateway" })
                    .env("LOAD_PROXY", fake.proxy_url())
                    .env("LOAD_PUBLIC_KEY", fake.public_key_hex());
                if let Some(listen) = listen {
                    command.env("LOAD_LISTEN", listen.to_string());
                }
            }
        }
        let child = command.spawn().context("could not start the bot process")?;
        let transport = match listen {
            Some(listen) => {
                let deadline = Instant::now() + T;
                while tokio::net::TcpStream::connect(listen).await.is_err() {
                    if Instant::now() > deadline {
                        bail!("the bot process never listened on {listen}");
                    }
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                Transport::Http(format!("http://{listen}/interactions"))
            }
            None => {
                fake.wait_ready(T).await.map_err(anyhow::Error::msg)?;
                Transport::Gateway
            }
        };
        Ok(Running {
            bot,
            fake,
            child,
            transport,
            _dir: dir,
        })
    }

    /// Fails on any protocol violation the fake saw.
    fn check(&self) -> Result<()> {
        let violations = self.fake.violations();
        if let Some(first) = violations.first() {
            bail!(
                "{}: the fake saw {} protocol violation(s), e.g. {first}",
                self.bot.name(),
                violations.len()
            );
        }
        Ok(())
    }
}

/// What an answer must be.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Expect {
    /// The baseline's fixed message (type 4).
    Fixed,
    /// stackpick's first question (type 4).
    FirstQuestion,
    /// stackpick's next question (type 7).
    NextQuestion,
    /// stackpick's result (type 7).
    Result,
    /// Any update of the message (type 7).
    Update,
}

/// An interaction ready to send: over HTTP already serialised and signed, so that a
/// measured run only sends.
enum Prepared {
    Dispatch(Value),
    Post(Signed),
}

impl Prepared {
    fn new(run: &Running, interaction: Value) -> Result<Prepared> {
        Ok(match run.transport {
            Transport::Gateway => Prepared::Dispatch(interaction),
            Transport::Http(_) => Prepared::Post(
                run.fake
                    .sign_interaction(interaction)
                    .map_err(anyhow::Error::msg)?,
            ),
        })
    }

    fn interaction(&self) -> &Value {
        match self {
            Prepared::Dispatch(interaction) => interaction,
            Prepared::Post(signed) => signed.interaction(),
        }
    }
}

/// Sends one interaction and waits for its answer; returns the latency (from sending
/// to the fake receiving the answer) and, when asked for, the message it left.
async fn interact(
    run: &Running,
    interaction: Value,
    expect: Expect,
    want_message: bool,
) -> Result<(Duration, Option<Value>)> {
    send(run, Prepared::new(run, interaction)?, expect, want_message).await
}

/// [`interact`] with an interaction prepared beforehand.
async fn send(
    run: &Running,
    interaction: Prepared,
    expect: Expect,
    want_message: bool,
) -> Result<(Duration, Option<Value>)> {
    let token = interaction.interaction()["token"]
        .as_str()
        .context("token")?
        .to_owned();
    let sent = Instant::now();
    match (&run.transport, interaction) {
        (_, Prepared::Dispatch(interaction)) => run
            .fake
            .dispatch("INTERACTION_CREATE", interaction)
            .await
            .map_err(anyhow::Error::msg)?,
        (Transport::Http(url), Prepared::Post(signed)) => {
            let answer = run
                .fake
                .post_signed(url, signed)
                .await
                .map_err(anyhow::Error::msg)?;
            ensure!(
                answer.status == 200,
                "the endpoint answered {}: {}",
                answer.status,
                answer.text
            );
        }
        (Transport::Gateway, Prepared::Post(_)) => bail!("a signed request for the gateway"),
    }
    // What the answer was, without copying its body.
    let (status, kind, received) = run
        .fake
        .wait_for_callback_with(&token, T, |call| {
            let kind = call.body.as_ref().map(|b| b["type"].clone());
            (call.status, kind, call.received)
        })
        .await
        .map_err(|e| anyhow::anyhow!("{}: missing answer: {e}", run.bot.name()))?;
    let mut latency = received.saturating_duration_since(sent);
    let wanted = if matches!(expect, Expect::Fixed | Expect::FirstQuestion) {
        4
    } else {
        7
    };
    // Over the HTTP endpoint a result carries its chart, which an inline answer can't:
    // it is acknowledged (6) and edited in over REST; the latency runs to that edit.
    let deferred = matches!(run.transport, Transport::Http(_))
        && wanted == 7
        && status == 204
        && kind == Some(json!(6));
    if deferred {
        run.fake
            .wait_for_original_edit(&token, T)
            .await
            .map_err(|e| anyhow::anyhow!("{}: the result's edit: {e}", run.bot.name()))?;
        latency = sent.elapsed();
    } else if status != 204 || kind != Some(json!(wanted)) {
        bail!(
            "{}: unexpected answer {status} of type {kind:?} (expected type {wanted})",
            run.bot.name(),
        );
    }
    if expect == Expect::Fixed && !want_message {
        return Ok((latency, None));
    }
    let message = run
        .fake
        .original_response(&token)
        .context("the answer has a message")?;
    let result = message["embeds"][0]["title"]
        .as_str()
        .is_some_and(|t| t.contains("points"));
    match expect {
        Expect::Result if !result => bail!("no result after the last answer: {message}"),
        Expect::FirstQuestion | Expect::NextQuestion if result => {
            bail!("a result where a question was expected: {message}")
        }
        _ => {}
    }
    Ok((latency, want_message.then_some(message)))
}

/// A `/recommend set:quick` by the user of `origin`.
fn recommend(origin: &Origin) -> Value {
    let quick = json!([{ "name": "set", "type": 3, "value": "quick" }]);
    payloads::slash_command("recommend", quick, origin)
}

/// A fresh guild member.
fn origin(n: usize) -> Origin {
    Origin::guild(payloads::member(
        &payloads::user(&format!("load{n}")),
        MEMBER_PERMISSIONS,
    ))
}

/// One conversation to set up: who, and how many questions to answer first.
struct Setup {
    origin: Origin,
    depth: usize,
    n: usize,
}

/// A conversation set up: the message with its current question.
struct Ready {
    origin: Origin,
    message: Value,
    depth: usize,
    n: usize,
}

/// Starts each conversation and answers its first `depth` questions, 64 at a time,
/// unmeasured. The baseline gets the same interactions, its clicks on stackpick's
/// captured messages.
async fn set_up(run: &Running, templates: &Templates, setups: Vec<Setup>) -> Result<Vec<Ready>> {
    let queue = Arc::new(Mutex::new(setups.into_iter()));
    let done = Arc::new(Mutex::new(Vec::new()));
    let mut workers = Vec::new();
    for _ in 0..IN_FLIGHT {
        let (queue, done) = (Arc::clone(&queue), Arc::clone(&done));
        workers.push(async move {
            loop {
                let next = queue.lock().unwrap().next();
                let Some(setup) = next else {
                    return Ok::<(), anyhow::Error>(());
                };
                let ready = advance(run, templates, setup).await?;
                done.lock().unwrap().push(ready);
            }
        });
    }
    for outcome in futures_util::future::join_all(workers).await {
        outcome?;
    }
    let mut ready = std::mem::take(&mut *done.lock().unwrap());
    ready.sort_by_key(|r| r.n);
    Ok(ready)
}

/// One conversation of [`set_up`].
async fn advance(run: &Running, templates: &Templates, setup: Setup) -> Result<Ready> {
    let Setup { origin, depth, n } = setup;
    let stackpick = run.bot == Bot::Stackpick;
    let expect = |first| match (stackpick, first) {
        (false, _) => Expect::Fixed,
        (true, true) => Expect::FirstQuestion,
        (true, false) => Expect::NextQuestion,
    };
    let (_, message) = interact(run, recommend(&origin), expect(true), stackpick).await?;
    let mut message = message.unwrap_or_else(|| templates.messages[0].clone());
    for k in 1..=depth {
        let click = pick(&message, n + k, &origin)?;
        let wanted = if k == templates.questions() {
            if stackpick {
                Expect::Result
            } else {
                Expect::Fixed
            }
        } else {
            expect(false)
        };
        let (_, next) = interact(run, click, wanted, stackpick).await?;
        message = next.unwrap_or_else(|| templates.messages[k].clone());
    }
    Ok(Ready {
        origin,
        message,
        depth,
        n,
    })
}

/// Latencies and the bot's CPU of one measured run.
struct Phase {
    latencies: Vec<Duration>,
    elapsed: Duration,
    cpu_ns: u64,
    /// How far behind its schedule the paced driver sent, at worst.
    lag: Duration,
    /// The share of its CPU this driver (with the fake) used meanwhile.
    driver_busy: f64,
}

/// Sends every interaction, 64 in flight or paced at `rate`, and measures.
async fn phase(
    run: &Running,
    interactions: Vec<(Value, Expect)>,
    rate: Option<usize>,
    perf: Option<&Path>,
) -> Result<Phase> {
    let total = interactions.len();
    // Signed now, sent within Discord's five minutes (the bot refuses older ones).
    if let Some(rate) = rate {
        ensure!(
            total / rate.max(1) < 240,
            "{total} interactions at {rate}/s take longer than their signatures are valid"
        );
    }
    let interactions = interactions
        .into_iter()
        .map(|(interaction, expect)| Ok((Prepared::new(run, interaction)?, expect)))
        .collect::<Result<Vec<_>>>()?;
    let profiler = match perf {
        Some(path) => Some(Perf::attach(run.pid(), path).await?),
        None => None,
    };
    tokio::time::sleep(Duration::from_millis(50)).await;
    let cpu_before = cpu_ns(run.pid())?;
    let driver_before = cpu_ticks(std::process::id())?;
    let started = Instant::now();
    let latencies = Arc::new(Mutex::new(Vec::with_capacity(total)));
    let mut lag = Duration::ZERO;
    match rate {
        None => {
            let queue = Arc::new(Mutex::new(interactions.into_iter()));
            let workers = (0..IN_FLIGHT).map(|_| {
                let (queue, latencies) = (Arc::clone(&queue), Arc::clone(&latencies));
                async move {
                    loop {
                        let next = queue.lock().unwrap().next();
                        let Some((interaction, expect)) = next else {
                            return Ok::<(), anyhow::Error>(());
                        };
                        let (latency, _) = send(run, interaction, expect, false).await?;
                        latencies.lock().unwrap().push(latency);
                    }
                }
            });
            for outcome in futures_util::future::join_all(workers).await {
                outcome?;
            }
        }
        Some(rate) => {
            // Open loop: each interaction goes out when due, answered or not.
            let period = Duration::from_secs_f64(1.0 / rate as f64);
            let start = tokio::time::Instant::now();
            let mut sends = futures_util::stream::FuturesUnordered::new();
            for (i, (interaction, expect)) in interactions.into_iter().enumerate() {
                let due = start + period.mul_f64(i as f64);
                // Drive the sends in flight while waiting for the next one's turn.
                let wait = tokio::time::sleep_until(due);
                tokio::pin!(wait);
                loop {
                    tokio::select! {
                        biased;
                        () = &mut wait => break,
                        Some(outcome) = futures_util::StreamExt::next(&mut sends) => {
                            let (latency, _): (Duration, _) = outcome?;
                            latencies.lock().unwrap().push(latency);
                        }
                    }
                }
                lag = lag.max(due.elapsed());
                sends.push(send(run, interaction, expect, false));
            }
            while let Some(outcome) = futures_util::StreamExt::next(&mut sends).await {
                let (latency, _) = outcome?;
                latencies.lock().unwrap().push(latency);
            }
        }
    }
    let elapsed = started.elapsed();
    let driver_ticks = cpu_ticks(std::process::id())? - driver_before;
    // Work the bot does right after answering belongs to the interactions too.
    tokio::time::sleep(Duration::from_millis(50)).await;
    let cpu_ns = cpu_ns_since(run.pid(), cpu_before)?;
    if let Some(profiler) = profiler {
        profiler.stop()?;
    }
    let mut latencies = std::mem::take(&mut *latencies.lock().unwrap());
    latencies.sort_unstable();
    ensure!(
        latencies.len() == total,
        "{} answers missing",
        total - latencies.len()
    );
    run.check()?;
    // The records of answered interactions aren't needed any more.
    run.fake.clear_records();
    Ok(Phase {
        latencies,
        elapsed,
        cpu_ns,
        lag,
        driver_busy: driver_ticks as f64 / clock_ticks()? / elapsed.as_secs_f64(),
    })
}

/// `perf record -g` attached to the bot for one run.
struct Perf {
    child: Child,
}

impl Perf {
    async fn attach(pid: u32, output: &Path) -> Result<Perf> {
        let child = Command::new("perf")
            .args(["record", "-e", "cpu-clock", "-F", "2000", "-g", "-p"])
            .arg(pid.to_string())
            .arg("-o")
            .arg(output)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("LOAD_PERF needs perf")?;
        // Let it attach to every thread first.
        tokio::time::sleep(Duration::from_millis(500)).await;
        Ok(Perf { child })
    }

    fn stop(mut self) -> Result<()> {
        Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status()?;
        self.child.wait()?;
        Ok(())
    }
}

/// The `q` quantile of sorted latencies, in ms.
fn quantile_ms(sorted: &[Duration], q: f64) -> f64 {
    let i = ((sorted.len() as f64 * q).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i].as_secs_f64() * 1000.0
}

/// Starts one conversation in stackpick and clicks through it, keeping each message.
async fn capture(settings: &Settings) -> Result<Templates> {
    let run = Running::start(Bot::Stackpick, settings.http).await?;
    let origin = origin(0);
    let (_, first) = interact(&run, recommend(&origin), Expect::FirstQuestion, true).await?;
    let mut messages = vec![first.context("a first question")?];
    for k in 1..=20 {
        let click = pick(&messages[k - 1], k, &origin)?;
        let (_, message) = interact(&run, click, Expect::Update, true).await?;
        let message = message.context("an answer to the click")?;
        let finished = message["embeds"][0]["title"]
            .as_str()
            .is_some_and(|t| t.contains("points"));
        messages.push(message);
        if finished {
            run.check()?;
            return Ok(Templates { messages });
        }
    }
    bail!("no result after 20 answers in the quick set")
}

/// One process: idle RSS, warm-up, then each scenario saturated and paced.
async fn measure(
    settings: &Settings,
    templates: &Templates,
    bot: Bot,
    round: usize,
) -> Result<Measured> {
    let run = Running::start(bot, settings.http).await?;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let rss_mb = rss_mb(run.pid())?;
    if let Some(dir) = &settings.smaps {
        let to = dir.join(format!("{}-{round}.smaps", bot.name()));
        std::fs::copy(format!("/proc/{}/smaps", run.pid()), &to)
            .with_context(|| format!("could not keep the memory map in {}", to.display()))?;
        let to = dir.join(format!("{}-{round}.pages", bot.name()));
        std::fs::write(&to, resident_code_pages(run.pid())?)
            .with_context(|| format!("could not write {}", to.display()))?;
    }
    let questions = templates.questions();
    // A new user for every conversation.
    let users = std::cell::Cell::new(0);
    let next_user = || {
        users.set(users.get() + 1);
        users.get()
    };
    let fresh = |count: usize, depth: &dyn Fn(usize) -> usize| -> Vec<Setup> {
        (0..count)
            .map(|i| {
                let n = next_user();
                Setup {
                    origin: origin(n),
                    depth: depth(i),
                    n,
                }
            })
            .collect()
    };
    // Warm-up: whole conversations.
    let conversations = settings.warmup.div_ceil(questions + 1);
    set_up(&run, templates, fresh(conversations, &|_| questions)).await?;
    run.fake.clear_records();

    let mut samples = Vec::new();
    for scenario in SCENARIOS {
        let mut sample = Sample::default();
        for paced in [false, true] {
            let count = settings.interactions;
            let interactions: Vec<(Value, Expect)> = match scenario {
                Scenario::Recommend => {
                    let expect = if bot == Bot::Stackpick {
                        Expect::FirstQuestion
                    } else {
                        Expect::Fixed
                    };
                    (0..count)
                        .map(|_| (recommend(&origin(next_user())), expect))
                        .collect()
                }
                Scenario::Answer | Scenario::Finish => {
                    // Answer: each question but the last in turn; finish: the last.
                    let depth = |i: usize| match scenario {
                        Scenario::Answer => i % (questions - 1).max(1),
                        _ => questions - 1,
                    };
                    let ready = set_up(&run, templates, fresh(count, &depth)).await?;
                    run.fake.clear_records();
                    ready
                        .into_iter()
                        .map(|r| {
                            let last = r.depth + 1 == questions;
                            let expect = match (bot, last) {
                                (Bot::Baseline, _) => Expect::Fixed,
                                (Bot::Stackpick, true) => Expect::Result,
                                (Bot::Stackpick, false) => Expect::NextQuestion,
                            };
                            Ok((pick(&r.message, r.n + r.depth + 1, &r.origin)?, expect))
                        })
                        .collect::<Result<_>>()?
                }
            };
            let perf = match (&settings.perf, paced) {
                (Some(dir), false) => {
                    Some(dir.join(format!("{}-{}-{round}.data", bot.name(), scenario.slug())))
                }
                _ => None,
            };
            let measured = phase(
                &run,
                interactions,
                paced.then_some(settings.rate),
                perf.as_deref(),
            )
            .await?;
            if paced {
                sample.p50_ms = quantile_ms(&measured.latencies, 0.5);
                sample.p99_ms = quantile_ms(&measured.latencies, 0.99);
                if measured.lag > Duration::from_millis(5) {
                    eprintln!(
                        "warning: the paced driver fell {:?} behind schedule ({} {})",
                        measured.lag,
                        bot.name(),
                        scenario.name()
                    );
                }
            } else {
                sample.throughput = count as f64 / measured.elapsed.as_secs_f64();
                sample.cpu_us = measured.cpu_ns as f64 / 1e3 / count as f64;
                sample.driver_busy = measured.driver_busy;
            }
        }
        samples.push(sample);
    }
    run.check()?;
    Ok(Measured { rss_mb, samples })
}

/// min / median / max.
fn spread(mut values: Vec<f64>) -> (f64, f64, f64) {
    values.sort_by(f64::total_cmp);
    let median = if values.len() % 2 == 1 {
        values[values.len() / 2]
    } else {
        (values[values.len() / 2 - 1] + values[values.len() / 2]) / 2.0
    };
    (values[0], median, values[values.len() - 1])
}

fn table(settings: &Settings, results: &[(Bot, Measured)], baseline: &str, load_before: &str) {
    let of = |bot: Bot| -> Vec<&Measured> {
        results
            .iter()
            .filter(|(b, _)| *b == bot)
            .map(|(_, m)| m)
            .collect()
    };
    let (a, b) = (of(Bot::Baseline), of(Bot::Stackpick));
    let fmt = |(lo, mid, hi): (f64, f64, f64), digits: usize| {
        format!("{lo:.digits$} / {mid:.digits$} / {hi:.digits$}")
    };
    println!();
    println!(
        "{} rounds, load average {load_before} before, {} after; min / median / max over the \
         rounds; ratio = stackpick ÷ baseline of the same round",
        settings.rounds,
        load_average()
    );
    println!();
    println!("| scenario | metric | {baseline} | stackpick | ratio |");
    println!("|---|---|---|---|---|");
    let row = |scenario: &str, metric: &str, get: &dyn Fn(&Measured) -> f64, digits: usize| {
        let (av, bv): (Vec<f64>, Vec<f64>) = (
            a.iter().map(|m| get(m)).collect(),
            b.iter().map(|m| get(m)).collect(),
        );
        let ratios = av.iter().zip(&bv).map(|(x, y)| y / x).collect();
        println!(
            "| {scenario} | {metric} | {} | {} | {} |",
            fmt(spread(av), digits),
            fmt(spread(bv), digits),
            fmt(spread(ratios), 2)
        );
    };
    for (i, scenario) in SCENARIOS.iter().enumerate() {
        let name = scenario.name();
        row(
            name,
            "saturated, 64 in flight (interactions/s)",
            &|m| m.samples[i].throughput,
            0,
        );
        row(
            name,
            "CPU per interaction (µs)",
            &|m| m.samples[i].cpu_us,
            0,
        );
        row(
            name,
            &format!("p99 paced at {}/s (ms)", settings.rate),
            &|m| m.samples[i].p99_ms,
            2,
        );
        row(
            name,
            &format!("p50 paced at {}/s (ms)", settings.rate),
            &|m| m.samples[i].p50_ms,
            2,
        );
    }
    row("—", "idle RSS after READY (MB)", &|m| m.rss_mb, 1);
}
