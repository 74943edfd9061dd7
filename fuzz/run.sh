#!/usr/bin/env bash
# make fuzz: run every fuzz target for FUZZ_SECONDS (default 60) each.
# cargo-fuzz needs nightly features; RUSTC_BOOTSTRAP lets the stable
# toolchain build with them.
set -euo pipefail
cd "$(dirname "$0")"
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
seconds=${FUZZ_SECONDS:-60}
for target in $(cargo fuzz list); do
    echo "== $target ($seconds s)"
    RUSTC_BOOTSTRAP=1 cargo fuzz run "$target" -- -max_total_time="$seconds" -max_len=4096
done
