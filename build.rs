//! Link options of the release binary (see "Building" in the README).
//!
//! lld lays out first the functions listed in link/symbol-order.txt, those
//! that the supervisor and then the client faces run, so that the pages the
//! supervisor maps stay few; and it packs the relocations of the static-pie
//! binary (RELR), which the loader then reads in a few pages.

fn main() {
    println!("cargo:rerun-if-changed=link/symbol-order.txt");
    let release = std::env::var("PROFILE").is_ok_and(|p| p == "release");
    // lld is the linker of this target since Rust 1.90.
    let lld_target = std::env::var("TARGET").is_ok_and(|t| t == "x86_64-unknown-linux-gnu");
    if !(release && lld_target) {
        return;
    }
    let order = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("link/symbol-order.txt");
    println!("cargo:rustc-link-arg-bins=-Wl,--symbol-ordering-file={}", order.display());
    // A name that is gone since the list was made is skipped.
    println!("cargo:rustc-link-arg-bins=-Wl,--no-warn-symbol-ordering");
    println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
}
