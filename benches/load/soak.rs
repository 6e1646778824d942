//! The soak run (`LOAD_SOAK=<milliseconds>`, e.g. 300000 for five minutes): the load's
//! saturated loop for that long, sampling the bot's resident memory and its open file
//! descriptors (all of them, and those on the database: the SQLite file and its WAL
//! and shared-memory files, or TCP connections to PostgreSQL) after every slice of
//! interactions. It fails if, after the first fifth of the run (pools filled, caches
//! warm), a sample grows past the stated bounds:
//!
//! - RSS above the warm maximum × 1.25 + 8 MiB;
//! - database handles above the warm maximum (a pool never needs more once warm);
//! - all file descriptors above the warm maximum + 32.
//!
//! With `LOAD_PIN=1` the samples are of the `stackpick serve` process alone; otherwise
//! of this whole process (bot, fake Discord and driver), whose records of the fake are
//! cleared after every slice so they don't count as growth.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context as _, Result};

use super::{drive, FakeDiscord, Transport};

/// Interactions per slice (a sample after each).
const SLICE: usize = 2_000;
/// RSS bound: the warm maximum times this, plus [`RSS_SLACK`].
const RSS_FACTOR: f64 = 1.25;
const RSS_SLACK: u64 = 8 << 20;
/// Extra file descriptors allowed over the warm maximum: HTTP connection pools open a
/// few more now and then (in-process, both ends of a loopback connection count). A
/// leak grows without end and passes any constant.
const FD_SLACK: usize = 32;
/// PostgreSQL's port (connections to it count as database handles).
const POSTGRES_PORT: u16 = 5432;

/// One sample of a process.
#[derive(Debug, Clone, Copy)]
struct Sample {
    at: Duration,
    rss: u64,
    fds: usize,
    database: usize,
}

/// Runs the soak for `length` against the bot process `pid`.
pub(super) async fn run(
    fake: &Arc<FakeDiscord>,
    transport: &Transport,
    users: usize,
    length: Duration,
    pid: u32,
) -> Result<()> {
    println!(
        "soak: {} s saturated, sampling process {pid} every {SLICE} interactions",
        length.as_secs()
    );
    let started = Instant::now();
    let mut samples = Vec::new();
    let mut done = 0usize;
    while started.elapsed() < length {
        drive(fake, transport, users, SLICE, None).await?;
        done += SLICE;
        fake.clear_records();
        let sample = sample(pid, started.elapsed())?;
        println!(
            "  t = {:>4} s  {done:>8} interactions  RSS {:>6.1} MiB  fds {:>4}  database handles {:>3}",
            sample.at.as_secs(),
            sample.rss as f64 / f64::from(1 << 20),
            sample.fds,
            sample.database
        );
        samples.push(sample);
    }
    judge(&samples, length)
}

/// Fails if a sample after the warm-up fifth exceeds the bounds.
fn judge(samples: &[Sample], length: Duration) -> Result<()> {
    let warm_until = length / 5;
    let (warm, later): (Vec<Sample>, Vec<Sample>) =
        samples.iter().partition(|s| s.at <= warm_until);
    let (Some(warm_rss), Some(warm_fds), Some(warm_db)) = (
        warm.iter().map(|s| s.rss).max(),
        warm.iter().map(|s| s.fds).max(),
        warm.iter().map(|s| s.database).max(),
    ) else {
        bail!("the soak was too short to sample a warm state; give LOAD_SOAK more time");
    };
    let rss_bound = (warm_rss as f64 * RSS_FACTOR) as u64 + RSS_SLACK;
    let mut problems = Vec::new();
    for s in &later {
        if s.rss > rss_bound {
            problems.push(format!(
                "at {} s RSS is {} MiB, over the bound {} MiB",
                s.at.as_secs(),
                s.rss >> 20,
                rss_bound >> 20
            ));
        }
        if s.database > warm_db {
            problems.push(format!(
                "at {} s {} database handles are open, more than the warm {warm_db}",
                s.at.as_secs(),
                s.database
            ));
        }
        if s.fds > warm_fds + FD_SLACK {
            problems.push(format!(
                "at {} s {} file descriptors are open, over the bound {}",
                s.at.as_secs(),
                s.fds,
                warm_fds + FD_SLACK
            ));
        }
    }
    let last = later.last().or(warm.last()).copied();
    println!(
        "soak bounds: RSS ≤ {} MiB (warm {} MiB), database handles ≤ {warm_db}, fds ≤ {}",
        rss_bound >> 20,
        warm_rss >> 20,
        warm_fds + FD_SLACK
    );
    if let Some(last) = last {
        println!(
            "soak end: RSS {} MiB, fds {}, database handles {}",
            last.rss >> 20,
            last.fds,
            last.database
        );
    }
    if !problems.is_empty() {
        bail!("the soak grew: {}", problems.join("; "));
    }
    println!("soak: flat");
    Ok(())
}

/// The process's RSS (from /proc/PID/status) and its open descriptors.
fn sample(pid: u32, at: Duration) -> Result<Sample> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .with_context(|| format!("cannot read /proc/{pid}/status"))?;
    let rss_kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .context("no VmRSS in /proc/PID/status")?;
    let postgres = postgres_sockets()?;
    let (mut fds, mut database) = (0, 0);
    for entry in std::fs::read_dir(format!("/proc/{pid}/fd"))? {
        let Ok(target) = std::fs::read_link(entry?.path()) else {
            continue; // closed meanwhile
        };
        fds += 1;
        let target = target.to_string_lossy();
        let on_sqlite = target.contains("stackpick.db");
        let on_postgres = target
            .strip_prefix("socket:[")
            .and_then(|t| t.strip_suffix(']'))
            .and_then(|inode| inode.parse::<u64>().ok())
            .is_some_and(|inode| postgres.contains(&inode));
        if on_sqlite || on_postgres {
            database += 1;
        }
    }
    Ok(Sample {
        at,
        rss: rss_kib * 1024,
        fds,
        database,
    })
}

/// The socket inodes of TCP connections to PostgreSQL's port (IPv4 and IPv6).
fn postgres_sockets() -> Result<Vec<u64>> {
    let mut inodes = Vec::new();
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        let Ok(text) = std::fs::read_to_string(table) else {
            continue;
        };
        for line in text.lines().skip(1) {
            let fields: Vec<&str> = line.split_whitespace().collect();
            // local_address rem_address st ... inode (the 10th field)
            let (Some(remote), Some(inode)) = (fields.get(2), fields.get(9)) else {
                continue;
            };
            let port = remote
                .rsplit(':')
                .next()
                .and_then(|p| u16::from_str_radix(p, 16).ok());
            if port == Some(POSTGRES_PORT) {
                if let Ok(inode) = inode.parse() {
                    inodes.push(inode);
                }
            }
        }
    }
    Ok(inodes)
}
