#!/usr/bin/env bash
# Writes link/symbol-order.txt: the functions the supervisor runs, then the
# ones the systemctl, journalctl and runr faces run, as callgrind saw them
# in a short scenario. Release builds hand the list to the linker (build.rs:
# lld's --symbol-ordering-file), which lays those functions out side by
# side at the start of .text.
#
# Why: the kernel maps a file's pages 64 KiB at a time around each page a
# process first touches (fault-around). In the default layout the
# supervisor's code is spread over the whole 3.5 MB of .text, so nearly all
# of the binary ends up mapped and counted in its RSS (3.9 MiB with 100
# services); packed, 2.5 MiB, and a systemctl call faults in fewer pages.
#
# Run it after changes that rename or add much code on the supervisor's
# paths (needs valgrind): ./link/order-symbols.sh. A name that no longer
# exists is skipped by the linker, so a stale list only packs less.
set -euo pipefail
cd "$(dirname "$0")/.."

target=x86_64-unknown-linux-gnu
build_dir=target/symbol-order
# The build of `make build` with its symbol table kept. The names depend on
# the profile (its `strip` included) but not on RUSTFLAGS, so the symbols
# are kept through RUSTFLAGS.
RUSTFLAGS="-C target-feature=+crt-static -C strip=none" \
    cargo build --release --target "$target" --bin runr --target-dir "$build_dir"
bin=$PWD/$build_dir/$target/release/runr

work=$(mktemp -d "${TMPDIR:-/tmp}/runr-order.XXXXXX")
supervisor_pid=
cleanup() {
    [ -n "$supervisor_pid" ] && kill "$supervisor_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

# The scenario's pod: simple services that restart, half of them enabled
# (a link in multi-user.target.wants) and half with Autostart=yes; a
# oneshot, a notify service, a timer and its service.
units=$work/units
mkdir -p "$units/multi-user.target.wants" "$units/timers.target.wants"
for i in $(seq 1 20); do
    if [ "$i" -le 10 ]; then
        extra='[Install]\nWantedBy=multi-user.target\n'
        ln -s "../sleeper$i.service" "$units/multi-user.target.wants/"
    else
        extra='Autostart=yes\n'
    fi
    printf "[Unit]\nDescription=Sleeper %s\n[Service]\nExecStart=/bin/sleep 1000000\nRestart=always\nRestartSec=0\n$extra" "$i" >"$units/sleeper$i.service"
done
printf '[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStart=/bin/echo prepared\n[Install]\nWantedBy=multi-user.target\n' >"$units/prepare.service"
printf '[Service]\nType=notify\nNotifyAccess=all\nExecStart=/bin/sh -c "systemd-notify --ready --status=serving; exec sleep 1000000"\n[Install]\nWantedBy=multi-user.target\n' >"$units/notifier.service"
printf '[Service]\nType=oneshot\nExecStart=/bin/echo tick\n' >"$units/tick.service"
printf '[Timer]\nOnActiveSec=1s\nOnUnitActiveSec=1s\n[Install]\nWantedBy=timers.target\n' >"$units/tick.timer"
ln -s ../prepare.service ../notifier.service "$units/multi-user.target.wants/"
ln -s ../tick.timer "$units/timers.target.wants/"

export RUNR_SOCKET=$work/api.sock RUNR_JOURNAL_DIR=$work/journal RUNR_UNIT_PATH=$units
valgrind --tool=callgrind --demangle=no --callgrind-out-file="$work/supervisor.cg" \
    "$bin" supervisor "$units" --api-socket "$RUNR_SOCKET" --journal-dir "$RUNR_JOURNAL_DIR" \
    --syslog-socket "$work/log" >"$work/supervisor.out" 2>&1 &
supervisor_pid=$!
for _ in $(seq 1 150); do [ -S "$RUNR_SOCKET" ] && break; sleep 0.2; done
sleep 3

ln -s "$bin" "$work/systemctl"
ln -s "$bin" "$work/journalctl"
# A profile of a pod that did not come up would order the wrong code.
for unit in sleeper1.service sleeper20.service prepare.service notifier.service tick.timer; do
    "$work/systemctl" is-active --quiet "$unit" || { echo "$unit did not start" >&2; exit 1; }
done
client=0
# Runs one client call under callgrind; the supervisor answers it.
call() {
    client=$((client + 1))
    valgrind --tool=callgrind --demangle=no --callgrind-out-file="$work/client$client.cg" \
        "$@" >/dev/null 2>&1 || true
}
for unit in sleeper1.service prepare.service notifier.service tick.timer; do
    call "$work/systemctl" status "$unit"
    call "$work/systemctl" show "$unit"
    call "$work/systemctl" is-active "$unit"
    call "$work/systemctl" is-enabled "$unit"
done
call "$work/systemctl" list-units
call "$work/systemctl" list-unit-files
call "$work/systemctl" list-timers
call "$work/systemctl" restart sleeper1.service
call "$work/systemctl" stop sleeper2.service
call "$work/systemctl" start sleeper2.service
call "$work/systemctl" reload-or-restart sleeper3.service
call "$work/systemctl" disable sleeper4.service
call "$work/systemctl" enable sleeper4.service
call "$work/systemctl" daemon-reload
call "$work/journalctl" -u sleeper1.service -n 5 --no-pager
call "$work/journalctl" --no-pager -n 20
# runr's own face, through the same API.
call "$bin" status
call "$bin" status sleeper5.service
call "$bin" list-units
call "$bin" list-timers
call "$bin" show sleeper5.service
call "$bin" log sleeper5.service
call "$bin" info
call "$bin" readyz
call "$bin" restart sleeper6.service
logger --socket "$work/log" "a line for the syslog server" || true
# A service that dies is restarted.
sleeper=$(pgrep -P "$supervisor_pid" -f 'sleep 1000000' | head -n 1 || true)
[ -n "$sleeper" ] && kill "$sleeper"
sleep 2
kill -TERM "$supervisor_pid"
wait "$supervisor_pid" || true
supervisor_pid=

# Function names from callgrind's files, in the order they first appear.
# A recursive call's name carries a suffix, 'N.
names() {
    sed -nE "s/'[0-9]+$//; s/^c?fn=\([0-9]+\) (.*)$/\1/p" "$@" |
        awk '!seen[$0]++' | grep -vE '^(\(|0x)'
}
# Code picked by CPU features differs under valgrind, whose CPU has no
# AVX-512: with one variant of glibc's memcpy, strlen, ... come all of its
# siblings, and with crc32fast (the journal's checksums) all of crc32fast.
nm "$bin" | awk '$2 ~ /^[tTwW]$/ {print $3}' >"$work/defined"
siblings() {
    grep -oE '^__(mem|str|stp|wmem|wcs|rawmem)[a-z0-9]*_' "$1" | sort -u |
        while read -r prefix; do grep -E "^${prefix}" "$work/defined" || true; done
    if grep -qF crc32fast "$1"; then grep -F crc32fast "$work/defined"; fi
}
names "$work/supervisor.cg" >"$work/supervisor"
names "$work"/client*.cg >"$work/clients"
# The supervisor's first (_start runs before callgrind names anything), then
# what only the clients ran.
{
    echo _start
    cat "$work/supervisor"
    siblings "$work/supervisor"
    cat "$work/clients"
    siblings "$work/clients"
} | awk '!seen[$0]++' >link/symbol-order.txt

echo "link/symbol-order.txt: $(wc -l <link/symbol-order.txt) functions" \
    "($(grep -cxFf "$work/defined" link/symbol-order.txt) found in the binary)"
