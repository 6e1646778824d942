//! Link flags for the `stackpick` binary.
//!
//! On Linux with the GNU toolchain the binary is linked with packed relative
//! relocations (`-z pack-relative-relocs`, DT_RELR: glibc 2.36+, binutils 2.38+ or
//! lld 15+). A position-independent executable carries one relocation per pointer in
//! its read-only data, which the loader reads at every start: about 830 KB of
//! `.rela.dyn` here, all of it resident for the life of the process. Packed, they take
//! a few kilobytes, and the binary stays position-independent (ASLR is kept). Only
//! the binaries get the flag, not the library or its dependencies.

fn main() {
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os == "linux" && env == "gnu" && std::env::var_os("STACKPICK_NO_RELR").is_none() {
        println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
    println!("cargo:rerun-if-env-changed=STACKPICK_NO_RELR");
    println!("cargo:rerun-if-changed=build.rs");
}
