#!/usr/bin/env bash
# make demo: run the example pod in units/demo under runr, as an ordinary
# process in a scratch directory, and show what happens.
set -euo pipefail
RUNR=$(realpath "${1:-target/x86_64-unknown-linux-gnu/release/runr}")
HERE=$(cd "$(dirname "$0")" && pwd)
SCRATCH=$(mktemp -d -t runr-demo.XXXXXX)
trap 'rm -rf "$SCRATCH"' EXIT
cp "$HERE"/demo/* "$SCRATCH"/

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "runr $("$RUNR" --version | cut -d' ' -f2): $(stat -c %s "$RUNR") bytes, $(file -b "$RUNR" 2>/dev/null | cut -d, -f1-2 || echo static)"

step "systemd-analyze verify: the units are checked as systemd 252 checks them"
(cd "$SCRATCH" && "$RUNR" systemd-analyze verify --man=no ./*.service && echo "no diagnostics")

step "systemd-analyze calendar: when does 'Mon..Fri *-*-* 02:30' fire next?"
"$RUNR" systemd-analyze calendar --iterations=2 'Mon..Fri *-*-* 02:30' || true

step "runr supervisor $SCRATCH (12 seconds, then SIGTERM)"
# Everything the supervisor keeps goes to the scratch directory, so no root
# is needed: the control socket, the journal, runr's runtime and state.
RUNR_ROOT="$SCRATCH/root" RUNR_STATE_DIRECTORY="$SCRATCH/state" \
    "$RUNR" supervisor "$SCRATCH" --api-socket "$SCRATCH/runr.sock" --journal-dir "$SCRATCH/journal" &
SUPERVISOR=$!
sleep 3
step "the web service answers"
python3 -c 'import urllib.request; print(urllib.request.urlopen("http://127.0.0.1:8765/").status, "OK")' || true
step "runr status, through the control API"
RUNR_SOCKET="$SCRATCH/runr.sock" "$RUNR" status || true
sleep 9
step "SIGTERM to the supervisor: services stop in reverse order"
kill -TERM "$SUPERVISOR"
wait "$SUPERVISOR"
step "supervisor exited with status $?"
