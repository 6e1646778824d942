//! Which `stackpick` binary a benchmark runs as its own process (the load and memory
//! benchmarks both include this file).

/// `LOAD_BIN` (e.g. the `cargo build --release` one, as deployed), else the one cargo
/// built for the benchmarks (with the features the test suite's dependencies turn on).
pub fn stackpick() -> std::path::PathBuf {
    std::env::var_os("LOAD_BIN").map_or_else(
        || std::path::PathBuf::from(env!("CARGO_BIN_EXE_stackpick")),
        std::path::PathBuf::from,
    )
}
