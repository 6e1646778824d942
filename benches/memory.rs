//! Memory benchmark: the real `stackpick serve` process (SQLite store) holding 10,000
//! open conversations, started through the fake Discord on loopback; reports the
//! process's resident memory (VmRSS, Linux) before and after.
//!
//! `cargo bench --bench memory` (target: under 50 MB with 10,000 conversations open).
//! `MEMORY_CONVERSATIONS` changes the count.

#![allow(clippy::unwrap_used, clippy::expect_used)]

// The test suite's fake Discord; the benchmark uses only part of its API.
#[path = "load/binary.rs"]
mod binary;
#[allow(dead_code)]
#[path = "../tests/it/support/fake_discord/mod.rs"]
mod fake_discord;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result};
use serde_json::json;

use fake_discord::payloads::{self, Origin, MEMBER_PERMISSIONS};
use fake_discord::FakeDiscord;

/// Upper bound for every wait.
const T: Duration = Duration::from_secs(30);
/// Interactions in flight at once while opening conversations.
const IN_FLIGHT: usize = 32;

/// The process's resident set size in KiB, from /proc.
fn rss_kib(pid: u32) -> Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .context("reading /proc (Linux only)")?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .context("no VmRSS line")
}

fn main() -> Result<()> {
    let count: usize = std::env::var("MEMORY_CONVERSATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(run(count))
}

async fn run(count: usize) -> Result<()> {
    let fake = FakeDiscord::start().await?;
    fake.set_validation(false);
    let dir = tempfile::tempdir()?;
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "proxy_url = \"{}\"\ndatabase = \"{}\"\nlog_level = \"warn\"\n",
            fake.proxy_url(),
            dir.path().join("stackpick.db").display()
        ),
    )?;
    let mut child = Command::new(binary::stackpick())
        .args(["serve", "--config", config.to_str().unwrap()])
        .env("DISCORD_TOKEN", "fake-token")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .context("starting stackpick serve")?;
    let pid = child.id();
    fake.wait_ready(T).await.map_err(anyhow::Error::msg)?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let before = rss_kib(pid)?;

    // Each /recommend from a different user opens one conversation, which stays open.
    let started = Instant::now();
    let mut pending = Vec::with_capacity(IN_FLIGHT);
    let mut opened = 0;
    for i in 0..count {
        let user = payloads::user_with_id(5_000_000 + i as u64, "user");
        let origin = Origin::guild(payloads::member(&user, MEMBER_PERMISSIONS));
        let interaction = payloads::slash_command("recommend", json!([]), &origin);
        let token = interaction["token"].as_str().unwrap().to_owned();
        let mark = fake.mark();
        fake.dispatch("INTERACTION_CREATE", interaction)
            .await
            .map_err(anyhow::Error::msg)?;
        pending.push((mark, token));
        if pending.len() == IN_FLIGHT || i + 1 == count {
            for (mark, token) in pending.drain(..) {
                fake.wait_for_call(mark, T, |c| c.path.contains(&token))
                    .await
                    .map_err(anyhow::Error::msg)?;
                opened += 1;
            }
        }
    }
    let elapsed = started.elapsed();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let after = rss_kib(pid)?;
    child.kill()?;
    child.wait()?;

    println!("memory benchmark: stackpick serve (SQLite store) via the fake Discord");
    println!(
        "  open conversations: {opened} (opened in {:.1} s)",
        elapsed.as_secs_f64()
    );
    println!("  RSS after start:    {:.1} MB", before as f64 / 1024.0);
    println!(
        "  RSS with all open:  {:.1} MB (target: < 50 MB)",
        after as f64 / 1024.0
    );
    Ok(())
}
