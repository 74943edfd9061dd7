#!/bin/bash
# Captures golden/systemctl/hostname from a real systemd 252 booted in namespaces with the
# oracle's boot-systemd.sh (ORACLE_DIR, default /work/shared/oracle). Run as root from anywhere:
#   golden/systemctl/hostname/capture.sh        # writes golden/systemctl/hostname/live
# The guest's uts name is "oracle" and its /etc/hostname is the file etc-hostname here (a comment,
# then a name with capitals, blanks around it and a trailing dot). The boot script names the uts
# namespace after ORACLE_HOSTNAME and writes ORACLE_HOSTNAME to /etc/hostname; so ORACLE_HOSTNAME
# is the file's text, and a `hostname` first in PATH while the script boots names the namespace
# "oracle" instead. The guest's console is a pseudo-terminal (ORACLE_CONSOLE) whose bytes are
# kept: systemd says what it did with the host name there, before journald runs.
# Then the units of units/ go to /etc/systemd/system, are started, and the captures run. The
# layout is the oracle capture.sh's: live/<group>/NN-slug.{cmd,stdout,stderr,rc},
# live/index.tsv (group, case, rc, command); live/console/hostname.txt holds the console's lines
# about the host name.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ORACLE_DIR=${ORACLE_DIR:-/work/shared/oracle}
OUT=${1:-$HERE/live}
NAME=${ORACLE_NAME:-hostname$$}
BOOT="$ORACLE_DIR/boot-systemd.sh"
export ORACLE_LANG=${ORACLE_LANG:-C.UTF-8}
UNITS="host-echo.service"
rm -rf "$OUT"; mkdir -p "$OUT/console"; OUT=$(cd "$OUT" && pwd)
: > "$OUT/index.tsv"
SCRATCH=$(mktemp -d)

# The uts name the guest boots with, whatever boot-systemd.sh asks for.
mkdir "$SCRATCH/bin"
cat > "$SCRATCH/bin/hostname" <<'EOF'
#!/bin/sh
if [ $# -eq 1 ]; then exec /bin/hostname oracle; fi
exec /bin/hostname "$@"
EOF
chmod +x "$SCRATCH/bin/hostname"

# A pseudo-terminal for the guest's console; its bytes go to console.raw until the capture ends.
python3 -c '
import os, pty, select, sys
master, slave = pty.openpty()
print(os.ttyname(slave), flush=True)
with open(sys.argv[1], "wb") as out:
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:
            break
        out.write(data)
        out.flush()
' "$SCRATCH/console.raw" > "$SCRATCH/tty" &
RECORDER=$!
for _ in $(seq 1 50); do [ -s "$SCRATCH/tty" ] && break; sleep 0.1; done

PATH="$SCRATCH/bin:$PATH" ORACLE_HOSTNAME=$(cat "$HERE/etc-hostname") ORACLE_CONSOLE=$(cat "$SCRATCH/tty") \
    "$BOOT" start "$NAME" >/dev/null
trap '[ "${KEEP:-0}" = 1 ] || "$BOOT" stop "$NAME"; kill "$RECORDER" 2>/dev/null || true; rm -rf "$SCRATCH"' EXIT

declare -A SEQ
# run GROUP SLUG CMD   (CMD is a shell line run by /bin/sh in the guest), as the oracle's capture.sh
run() {
    local grp=$1 slug=$2 cmd=$3 d="$OUT/$1"; mkdir -p "$d"
    local n=${SEQ[$grp]:-0}; SEQ[$grp]=$((n+1))
    local f; f=$(printf '%s/%02d-%s' "$d" "$n" "$slug")
    printf '%s\n' "$cmd" > "$f.cmd"
    local rc=0
    timeout -k 2 30 "$BOOT" exec "$NAME" -- sh -c "$cmd" >"$f.stdout" 2>"$f.stderr" || rc=$?
    echo "$rc" > "$f.rc"
    printf '%s\t%s\t%s\t%s\n' "$grp" "$(basename "$f")" "$rc" "$cmd" >> "$OUT/index.tsv"
}

for u in $UNITS; do
    "$BOOT" exec "$NAME" -- sh -c "cat > /etc/systemd/system/$u" < "$HERE/units/$u"
done
run setup daemon-reload "systemctl daemon-reload"
for u in $UNITS; do run setup "start-$u" "systemctl start $u"; done
sleep 1

run host hostname         "hostname"
run host kernel-hostname  "cat /proc/sys/kernel/hostname"
run host etc-hostname     "cat /etc/hostname"
run host status-first-line "systemctl status --no-pager 2>/dev/null | head -n 1"
run host journal-mentions "journalctl --no-pager -o cat | grep -c 'Hostname set'"
for u in $UNITS; do
    run "$u" status      "systemctl status $u"
    run "$u" journal     "journalctl -u $u --no-pager -o short"
    run "$u" journal-cat "journalctl -u $u --no-pager -o cat"
done

# The console's lines about the host name, without the terminal's carriage returns.
tr -d '\r' < "$SCRATCH/console.raw" | grep -i 'hostname' > "$OUT/console/hostname.txt" || true
{
    echo "captured_at=$(date -u +%FT%TZ)"
    echo "systemd=$("$BOOT" exec "$NAME" -- systemctl --version | head -n1)"
    echo "uts_name_at_boot=oracle"
    echo "hostname=$("$BOOT" exec "$NAME" -- hostname)"
    echo "LANG=$ORACLE_LANG TZ=UTC TERM(pipe)=dumb"
    echo "units="$UNITS
} > "$OUT/meta.txt"
echo "captured into $OUT ($(wc -l < "$OUT/index.tsv") commands)" >&2
