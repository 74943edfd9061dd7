#!/bin/bash
# Captures golden/systemctl/conditions from a real systemd 252 booted in namespaces with the
# oracle's boot-systemd.sh (ORACLE_DIR, default /work/shared/oracle). Run as root from anywhere:
#   golden/systemctl/conditions/capture.sh        # writes golden/systemctl/conditions/live
# The units of units/ go to /etc/systemd/system; those with [Install] are enabled (so that
# multi-user.target refers to them and systemd keeps them loaded with their condition results),
# each is started once, in the order below, and then every unit gets the same captures. The layout is the oracle capture.sh's:
# live/<group>/NN-slug.{cmd,stdout,stderr,rc}, live/index.tsv (group, case, rc, command).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ORACLE_DIR=${ORACLE_DIR:-/work/shared/oracle}
OUT=${1:-$HERE/live}
NAME=${ORACLE_NAME:-cond$$}
BOOT="$ORACLE_DIR/boot-systemd.sh"
export ORACLE_LANG=${ORACLE_LANG:-C.UTF-8}
UNITS="cond-path.service cond-negated.service cond-two.service cond-held-failed.service
       cond-trigger.service cond-trigger-met.service cond-mixed.service cond-met.service
       cond-later.service cond-static.service
       assert-path.service assert-trigger.service assert-after-condition.service assert-static.service"
rm -rf "$OUT"; mkdir -p "$OUT"; OUT=$(cd "$OUT" && pwd)
: > "$OUT/index.tsv"

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
# the same under a pseudo-terminal of 80x24
run_tty() {
    run "$1" "$2" "TERM=xterm-256color script -qec $(printf %q "stty cols 80 rows 24 -onlcr; $3") /dev/null"
}

for u in $UNITS; do
    "$BOOT" exec "$NAME" -- sh -c "cat > /etc/systemd/system/$u" < "$HERE/units/$u"
done
run setup daemon-reload "systemctl daemon-reload"
for u in $UNITS; do
    if grep -q '^\[Install\]' "$HERE/units/$u"; then run setup "enable-$u" "systemctl enable $u"; fi
done
run setup flag "touch /run/cond-flag"
for u in $UNITS; do run setup "start-$u" "systemctl start $u"; done
run setup unflag-restart "rm /run/cond-flag && systemctl restart cond-later.service"
sleep 3

for u in $UNITS; do
    run "$u" status                "systemctl status $u"
    run "$u" status-no-pager-LANG-C "LANG=C systemctl status $u --no-pager"
    run_tty "$u" status-no-pager-tty "systemctl status $u --no-pager"
    run "$u" show-p-conditions     "systemctl show -p ConditionResult,ConditionTimestamp,AssertResult,AssertTimestamp $u"
    run "$u" show-p-state          "systemctl show -p ActiveState,SubState,Result,ConditionResult,AssertResult $u"
    run "$u" show-p-lists          "systemctl show -p Conditions,Asserts $u"
    run "$u" show-all-conditions   "systemctl show --all $u | grep -E '^(Condition|Assert)'"
    run "$u" is-active             "systemctl is-active $u"
    run "$u" is-failed             "systemctl is-failed $u"
    run "$u" journal               "journalctl -u $u --no-pager"
    run "$u" journal-cat           "journalctl -u $u --no-pager -o cat"
done
run again start-cond-path "systemctl start cond-path.service"
run again status-cond-path "systemctl status cond-path.service"
run again start-assert-path "systemctl start assert-path.service"
run again status-assert-path "systemctl status assert-path.service"
run again status-two "systemctl status cond-path.service assert-path.service"
run again list-units "systemctl list-units --all --no-pager 'cond-*' 'assert-*'"
run again list-units-failed "systemctl list-units --failed --no-pager 'cond-*' 'assert-*'"

{
    echo "captured_at=$(date -u +%FT%TZ)"
    echo "systemd=$("$BOOT" exec "$NAME" -- systemctl --version | head -n1)"
    echo "hostname=$("$BOOT" exec "$NAME" -- hostname)"
    echo "LANG=$ORACLE_LANG TZ=UTC TERM(pipe)=dumb"
    echo "units="$UNITS
} > "$OUT/meta.txt"
echo "captured into $OUT ($(wc -l < "$OUT/index.tsv") commands)" >&2
