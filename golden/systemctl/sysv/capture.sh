#!/bin/bash
# Captures golden/systemctl/sysv: systemd 252's systemd-sysv names (runlevel, telinit, halt,
# poweroff, reboot, shutdown: links to systemctl) and the manager's exits, from the real systemd
# booted in namespaces by the oracle's boot-systemd.sh (ORACLE_DIR, default /work/shared/oracle),
# and from the real systemctl of this machine, where systemd is not PID 1. Run as root:
#   golden/systemctl/sysv/capture.sh                 # writes live/, ends/ and offline/ here
#   PARTS="ends" golden/systemctl/sysv/capture.sh    # only some of them
#
# live/     one booted guest; the lines of live-commands.tsv in order (group, slug, command).
# ends/     one guest for each line of ends-commands.tsv: the command (which ends the guest), then
#           how the guest's PID 1 ended, as a shell's `wait` gives it (42: exit(42); 130: killed
#           by SIGINT), and the manager's own journal lines (_PID=1), kept on a host directory
#           bound to /var/log/journal so that they outlive the guest.
# offline/  no manager: the lines of offline-commands.tsv in a private pid and mount namespace
#           whose /run and /var/log are empty tmpfs (utmp and wtmp included), so that nothing
#           reaches this machine's own init, utmp or wtmp.
#
# Layout as the oracle's capture.sh: PART/<group>/NN-slug.{cmd,stdout,stderr,rc} and
# PART/index.tsv (group, case, rc, command); ends/ adds NN-slug.status and NN-slug.journal, and
# its index has a fifth column, the status. `*-tty` cases run under a pseudo-terminal of 80x24.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ORACLE_DIR=${ORACLE_DIR:-/work/shared/oracle}
BOOT="$ORACLE_DIR/boot-systemd.sh"
PARTS=${PARTS:-live ends offline}
export ORACLE_LANG=${ORACLE_LANG:-C.UTF-8}

# The line a case runs: under a pseudo-terminal for *-tty slugs.
full_line() {
    case "$1" in
        *-tty) printf '%s' "TERM=xterm-256color script -qec $(printf %q "stty cols 80 rows 24 -onlcr; $2") /dev/null";;
        *) printf '%s' "$2";;
    esac
}

# Starts guest NAME with its PID 1's end recorded: a subreaper (this helper) outlives
# boot-systemd.sh, inherits the `unshare --fork` whose child is PID 1 and which exits as that
# child did, and writes its status to FILE (FILE.pid1 holds PID 1's host PID once booted).
SUBREAPER='
import ctypes, os, subprocess, sys
ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)   # PR_SET_CHILD_SUBREAPER
boot, name, out = sys.argv[1:4]
pid1 = subprocess.run([boot, "start", name], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                      check=True).stdout.decode().split()[-1]
with open(f"/proc/{pid1}/stat") as f:
    unshare = int(f.read().rsplit(")", 1)[1].split()[1])
with open(out + ".pid1", "w") as f:
    f.write(pid1 + "\n")
while True:
    pid, status = os.waitpid(-1, 0)
    if pid == unshare:
        break
code = os.waitstatus_to_exitcode(status)
with open(out, "w") as f:
    f.write(f"{code if code >= 0 else 128 - code}\n")
'

capture_live() {
    local out=$HERE/live name=${ORACLE_NAME:-sysv$$}
    rm -rf "$out"; mkdir -p "$out"; : > "$out/index.tsv"
    "$BOOT" start "$name" >/dev/null
    trap '"$BOOT" stop "'"$name"'"' RETURN
    declare -A seq
    local grp slug cmd n f full rc
    while IFS=$'\t' read -r -u 3 grp slug cmd; do
        case "$grp" in ''|'#'*) continue;; esac
        mkdir -p "$out/$grp"
        n=${seq[$grp]:-0}; seq[$grp]=$((n+1))
        f=$(printf '%s/%s/%02d-%s' "$out" "$grp" "$n" "$slug")
        full=$(full_line "$slug" "$cmd")
        printf '%s\n' "$full" > "$f.cmd"
        rc=0
        timeout -k 2 30 "$BOOT" exec "$name" -- sh -c "$full" >"$f.stdout" 2>"$f.stderr" 3<&- || rc=$?
        echo "$rc" > "$f.rc"
        printf '%s\t%s\t%s\t%s\n' "$grp" "$(basename "$f")" "$rc" "$full" >> "$out/index.tsv"
    done 3< "$HERE/live-commands.tsv"
    {
        echo "captured_at=$(date -u +%FT%TZ)"
        echo "systemd=$("$BOOT" exec "$name" -- systemctl --version | head -n1)"
        echo "hostname=$("$BOOT" exec "$name" -- hostname)"
        echo "LANG=$ORACLE_LANG TZ=UTC TERM(pipe)=dumb"
    } > "$out/meta.txt"
    echo "live: $(wc -l < "$out/index.tsv") commands" >&2
}

capture_ends() {
    local out=$HERE/ends n=0 slug cmd name f journal rc status
    rm -rf "$out"; mkdir -p "$out"; : > "$out/index.tsv"
    while IFS=$'\t' read -r -u 3 slug cmd; do
        case "$slug" in ''|'#'*) continue;; esac
        name=sysvend$$-$n
        f=$(printf '%s/%02d-%s' "$out" "$n" "$slug"); n=$((n+1))
        journal=$(mktemp -d)
        GUEST_BIND="$journal:/var/log/journal" python3 -c "$SUBREAPER" "$BOOT" "$name" "$f.status" &
        for _ in $(seq 1 150); do [ -s "$f.status.pid1" ] && break; sleep 0.2; done
        printf '%s\n' "$cmd" > "$f.cmd"
        rc=0
        timeout -k 2 60 "$BOOT" exec "$name" -- sh -c "$cmd" >"$f.stdout" 2>"$f.stderr" 3<&- || rc=$?
        echo "$rc" > "$f.rc"
        for _ in $(seq 1 300); do [ -s "$f.status" ] && break; sleep 0.2; done
        if [ ! -s "$f.status" ]; then
            echo alive > "$f.status"
            "$BOOT" stop "$name"
        fi
        wait || true
        "$BOOT" stop "$name"
        journalctl -D "$journal"/* --no-pager -o cat _PID=1 > "$f.journal" 2>/dev/null || true
        rm -rf "$journal" "$f.status.pid1"
        status=$(cat "$f.status")
        printf '%s\t%s\t%s\t%s\t%s\n' ends "$(basename "$f")" "$rc" "$cmd" "$status" >> "$out/index.tsv"
    done 3< "$HERE/ends-commands.tsv"
    {
        echo "captured_at=$(date -u +%FT%TZ)"
        echo "systemd=$(systemctl --version | head -n1)"
        echo "status=how the guest's PID 1 ended, as \`wait\` gives it (128+N: killed by signal N)"
    } > "$out/meta.txt"
    echo "ends: $n guests" >&2
}

capture_offline() {
    local out=$HERE/offline
    rm -rf "$out"; mkdir -p "$out"; : > "$out/index.tsv"
    # PID 1 of the namespace ignores the signals `telinit` sends it when no manager answers.
    unshare --pid --fork --mount --propagation private --mount-proc \
        sh -c 'trap "" HUP TERM INT; exec bash -s "$0" "$1" "$2"' "$HERE" "$out" "$(declare -f full_line)" <<'INNER'
set -euo pipefail
HERE=$1 OUT=$2; eval "$3"
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /var/log
declare -A seq
while IFS=$'\t' read -r -u 3 grp slug cmd; do
    case "$grp" in ''|'#'*) continue;; esac
    mkdir -p "$OUT/$grp"
    n=${seq[$grp]:-0}; seq[$grp]=$((n+1))
    f=$(printf '%s/%s/%02d-%s' "$OUT" "$grp" "$n" "$slug")
    full=$(full_line "$slug" "$cmd")
    printf '%s\n' "$full" > "$f.cmd"
    (cd /tmp && env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
        LANG=C.UTF-8 TERM=dumb sh -c "$full") </dev/null >"$f.stdout" 2>"$f.stderr" 3<&- && rc=0 || rc=$?
    echo "$rc" > "$f.rc"
    printf '%s\t%s\t%s\t%s\n' "$grp" "$(basename "$f")" "$rc" "$full" >> "$OUT/index.tsv"
done 3< "$HERE/offline-commands.tsv"
{
    echo "captured_at=$(date -u +%FT%TZ)"
    echo "systemd=$(systemctl --version | head -n1)"
    echo "pid1=$(cat /proc/1/comm) (PID 1 of a private pid namespace)"
    echo "LANG=C.UTF-8 TERM(pipe)=dumb cwd=/tmp, /run and /var/log empty tmpfs"
} > "$OUT/meta.txt"
INNER
    echo "offline: $(wc -l < "$out/index.tsv") commands" >&2
}

for part in $PARTS; do "capture_$part"; done
