//! Link flags for the `stackpick` binary.
//!
//! On Linux with glibc 2.36 or later the binary is linked with packed relative
//! relocations (`-z pack-relative-relocs`, DT_RELR; binutils 2.38+ or lld 15+ write
//! them, an older linker ignores the flag with a warning). A position-independent
//! executable carries one relocation per pointer in its read-only data, which the
//! loader reads at every start: about 830 KB of `.rela.dyn` here, all of it resident for
//! the life of the process. Packed, they take a few kilobytes, and the binary stays
//! position-independent (ASLR is kept). A binary with them doesn't start on an older
//! glibc, so the flag is only given when building natively on 2.36+
//! (`STACKPICK_NO_RELR=1` leaves it out). Only the binaries get it, not the library or
//! its dependencies.

use std::process::Command;

fn main() {
    println!("cargo:rerun-if-env-changed=STACKPICK_NO_RELR");
    println!("cargo:rerun-if-changed=build.rs");
    let var = |name: &str| std::env::var(name).unwrap_or_default();
    let native = var("HOST") == var("TARGET");
    let gnu_linux = var("CARGO_CFG_TARGET_OS") == "linux" && var("CARGO_CFG_TARGET_ENV") == "gnu";
    if native && gnu_linux && std::env::var_os("STACKPICK_NO_RELR").is_none() && glibc_has_relr() {
        println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
}

/// Whether this machine's glibc (`getconf GNU_LIBC_VERSION`: "glibc 2.36") loads
/// DT_RELR, which it does from 2.36.
fn glibc_has_relr() -> bool {
    let Ok(output) = Command::new("getconf").arg("GNU_LIBC_VERSION").output() else {
        return false;
    };
    let text = String::from_utf8_lossy(&output.stdout);
    let Some(version) = text.trim().strip_prefix("glibc ") else {
        return false;
    };
    let mut parts = version.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    let (major, minor) = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    (major, minor) >= (2, 36)
}
