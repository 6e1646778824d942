//! End-to-end tests (`cargo test --test it`).

// Test helpers outside #[test] functions may fail loudly too.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

mod core;
mod discord;
mod fake_discord_smoke;
mod store;
