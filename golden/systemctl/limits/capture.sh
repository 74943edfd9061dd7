#!/bin/bash
# Captures golden/systemctl/limits from a real systemd 252 booted in namespaces with the
# oracle's boot-systemd.sh (ORACLE_DIR, default /work/shared/oracle). Run as root from anywhere:
#   golden/systemctl/limits/capture.sh        # writes golden/systemctl/limits/live
# The guest boots as Docker starts a container: its PID 1 without CAP_SYS_RESOURCE (dropped from
# the bounding and inheritable sets) and under lowered limits (open files 1024:4096, locked
# memory 8 MiB), so that a Limit*= above the hard limit cannot be set. The boot script has no
# knob for that; its `start` runs under setpriv and prlimit, which everything it starts inherits.
# The units of units/ go to /etc/systemd/system, each is started once, and then every unit gets
# the same captures. The layout is the oracle capture.sh's:
# live/<group>/NN-slug.{cmd,stdout,stderr,rc}, live/index.tsv (group, case, rc, command).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ORACLE_DIR=${ORACLE_DIR:-/work/shared/oracle}
OUT=${1:-$HERE/live}
NAME=${ORACLE_NAME:-limits$$}
BOOT="$ORACLE_DIR/boot-systemd.sh"
export ORACLE_LANG=${ORACLE_LANG:-C.UTF-8}
LIMITS="--nofile=1024:4096 --memlock=8388608:8388608"
UNITS="lim-high.service lim-pair.service lim-infinity.service lim-below.service
       lim-memlock.service lim-none.service"
rm -rf "$OUT"; mkdir -p "$OUT"; OUT=$(cd "$OUT" && pwd)
: > "$OUT/index.tsv"

# shellcheck disable=SC2086
prlimit $LIMITS setpriv --bounding-set -sys_resource --inh-caps -sys_resource \
    "$BOOT" start "$NAME" >/dev/null
trap '[ "${KEEP:-0}" = 1 ] || "$BOOT" stop "$NAME"' EXIT

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
sleep 2

for u in $UNITS; do
    run "$u" show-p-limits "systemctl show -p LimitNOFILE,LimitNOFILESoft,LimitMEMLOCK,LimitMEMLOCKSoft $u"
    run "$u" show-p-state  "systemctl show -p ActiveState,SubState,Result,ExecMainCode,ExecMainStatus $u"
    run "$u" is-active     "systemctl is-active $u"
    run "$u" status        "systemctl status $u"
    run "$u" journal-cat   "journalctl -u $u --no-pager -o cat"
    run "$u" proc-limits   "grep -E '^Max (open files|locked memory)' /proc/\$(systemctl show -p MainPID --value $u)/limits"
done
run again list-units "systemctl list-units --all --no-pager 'lim-*'"

{
    echo "captured_at=$(date -u +%FT%TZ)"
    echo "systemd=$("$BOOT" exec "$NAME" -- systemctl --version | head -n1)"
    echo "hostname=$("$BOOT" exec "$NAME" -- hostname)"
    echo "pid1_limits=$("$BOOT" exec "$NAME" -- sh -c "grep -E '^Max (open files|locked memory)' /proc/1/limits | tr -s ' ' | paste -sd ';'")"
    echo "pid1_$("$BOOT" exec "$NAME" -- grep CapBnd /proc/1/status | tr -d '\t')"
    echo "LANG=$ORACLE_LANG TZ=UTC TERM(pipe)=dumb"
    echo "units="$UNITS
} > "$OUT/meta.txt"
echo "captured into $OUT ($(wc -l < "$OUT/index.tsv") commands)" >&2
