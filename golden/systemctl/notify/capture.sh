#!/bin/bash
# Captures golden/systemctl/notify from a real systemd 252 booted in namespaces with the oracle's
# boot-systemd.sh (ORACLE_DIR, default /work/shared/oracle). Run as root from anywhere:
#   golden/systemctl/notify/capture.sh        # writes golden/systemctl/notify/live
# Three subjects, each in its groups: sd_notify STATUS= and ERRNO= (notify-*), systemctl kill and
# what it logs (kill), and the state a unit shows after reset-failed, never started or after a
# good run (rf-*). The units of units/ go to /etc/systemd/system; those with [Install] are enabled
# (multi-user.target then refers to them and systemd keeps them loaded), the others are left for
# systemd to unload. Commands that wait for a state are captured too, so that a replay waits at
# the same points. The layout is the oracle capture.sh's:
# live/<group>/NN-slug.{cmd,stdout,stderr,rc}, live/index.tsv (group, case, rc, command).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ORACLE_DIR=${ORACLE_DIR:-/work/shared/oracle}
OUT=${1:-$HERE/live}
NAME=${ORACLE_NAME:-notify$$}
BOOT="$ORACLE_DIR/boot-systemd.sh"
export ORACLE_LANG=${ORACLE_LANG:-C.UTF-8}
NOTIFY_UNITS="notify-ready.service notify-child.service notify-post.service notify-exit.service
              notify-refused.service"
KILL_UNITS="kill-hup.service kill-main.service kill-tree.service kill-control.service"
RF_UNITS="rf-fail.service rf-fail-static.service rf-never.service rf-never-static.service
          rf-ok.service rf-ok-static.service rf-oneshot.service"
UNITS="$NOTIFY_UNITS $KILL_UNITS $RF_UNITS"
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
# Shell lines that wait (up to 10 s) for what a later capture depends on.
until_ok() { printf "timeout 10 sh -c 'until %s; do sleep 0.1; done'" "$1"; }
# UNIT's main process runs sleep and its control group holds N processes.
settled() {
    until_ok "[ \"\$(cat /proc/\$(systemctl show -p MainPID --value $1)/comm 2>/dev/null)\" = sleep ] && [ \"\$(wc -l < /sys/fs/cgroup/system.slice/$1/cgroup.procs)\" = $2 ]"
}
# UNIT has stopped (inactive or failed).
stopped() {
    until_ok "systemctl show -p ActiveState --value $1 | grep -qxE \"inactive|failed\""
}
has_status() {
    until_ok "[ -n \"\$(systemctl show -p StatusText --value $1)\" ]"
}
# status three ways, the notify properties, the journal
captures() {
    local g=$1 u=$2
    run "$g" status                 "systemctl status $u"
    run "$g" status-no-pager-LANG-C "LANG=C systemctl status $u --no-pager"
    run_tty "$g" status-no-pager-tty "systemctl status $u --no-pager"
    run "$g" journal                "journalctl -u $u --no-pager"
}
STATE_P=ActiveState,SubState,Result,StateChangeTimestamp,StateChangeTimestampMonotonic,InactiveExitTimestamp,ActiveEnterTimestamp,ActiveExitTimestamp,InactiveEnterTimestamp,ExecMainStartTimestamp,ExecMainExitTimestamp,ExecMainPID,ExecMainCode,ExecMainStatus,NRestarts
STATE_RE='^(ActiveState|SubState|Result|NRestarts|ExecMain|StatusText|StatusErrno|StateChange|InactiveExit|ActiveEnter|ActiveExit|InactiveEnter|Condition|Assert)'

for u in $UNITS; do
    "$BOOT" exec "$NAME" -- sh -c "cat > /etc/systemd/system/$u" < "$HERE/units/$u"
done
run setup daemon-reload "systemctl daemon-reload"
for u in $UNITS; do
    if grep -q '^\[Install\]' "$HERE/units/$u"; then run setup "enable-$u" "systemctl enable $u"; fi
done
for u in $NOTIFY_UNITS; do run setup "start-$u" "systemctl start $u"; done
run setup wait-notify-child "$(has_status notify-child.service)"
run setup wait-notify-exit "$(stopped notify-exit.service)"
for u in rf-fail.service rf-fail-static.service rf-ok.service rf-ok-static.service rf-oneshot.service; do
    run setup "start-$u" "systemctl start $u"
done
for u in rf-ok.service rf-ok-static.service; do run setup "wait-$u" "$(stopped $u)"; done

# sd_notify
for u in $NOTIFY_UNITS; do
    captures "$u" "$u"
    run "$u" show-p-notify  "systemctl show -p StatusText,StatusErrno,ActiveState,SubState,Result,NotifyAccess $u"
    run "$u" show-p-value   "systemctl show -p StatusText --value $u"
    run "$u" show-status    "systemctl show $u | grep -E '^Status'"
    run "$u" show-all-status "systemctl show --all $u | grep -E '^Status'"
done

# systemctl kill
run kill start-units "systemctl start kill-hup.service kill-main.service kill-tree.service"
run kill wait-kill-hup "$(settled kill-hup.service 1)"
run kill wait-kill-main "$(settled kill-main.service 2)"
run kill wait-kill-tree "$(settled kill-tree.service 3)"
run kill kill-hup "systemctl kill -s HUP kill-hup.service"
run kill wait-hup-stopped "$(stopped kill-hup.service)"
captures kill kill-hup.service
run kill show-kill-hup "systemctl show -p $STATE_P kill-hup.service"
run kill kill-main-only "systemctl kill --kill-whom=main kill-main.service"
run kill wait-main-stopped "$(stopped kill-main.service)"
captures kill kill-main.service
run kill kill-control-none "systemctl kill --kill-whom=control kill-tree.service"
run kill kill-tree-all "systemctl kill kill-tree.service"
run kill wait-tree-stopped "$(stopped kill-tree.service)"
captures kill kill-tree.service
run kill kill-main-dead "systemctl kill --kill-whom=main kill-hup.service"
run kill kill-all-dead "systemctl kill kill-hup.service"
run kill kill-missing "systemctl kill -s HUP kill-none.service"
run kill kill-whom-bad "systemctl kill --kill-whom=some kill-hup.service"
run kill start-control "systemctl start --no-block kill-control.service"
run kill wait-control "$(until_ok "[ \"\$(cat /proc/\$(systemctl show -p ControlPID --value kill-control.service)/comm 2>/dev/null)\" = sleep ]")"
run kill kill-control "systemctl kill --kill-whom=control kill-control.service"
run kill wait-control-stopped "$(stopped kill-control.service)"
captures kill kill-control.service

# reset-failed, never started, ended well
for u in $RF_UNITS; do
    captures "$u" "$u"
    run "$u" show-p-state "systemctl show -p $STATE_P $u"
    run "$u" show-state   "systemctl show $u | grep -E '$STATE_RE'"
    run "$u" is-failed    "systemctl is-failed $u"
done
run reset list-units-before "systemctl list-units --all --no-pager 'rf-*'"
for u in rf-fail.service rf-fail-static.service rf-ok.service rf-never.service; do
    run reset "reset-failed-$u" "systemctl reset-failed $u"
    captures reset "$u"
    run reset "show-p-state-$u" "systemctl show -p $STATE_P $u"
    run reset "show-state-$u"   "systemctl show $u | grep -E '$STATE_RE'"
    run reset "is-failed-$u"    "systemctl is-failed $u"
done
run reset list-units-after "systemctl list-units --all --no-pager 'rf-*'"

{
    echo "captured_at=$(date -u +%FT%TZ)"
    echo "systemd=$("$BOOT" exec "$NAME" -- systemctl --version | head -n1)"
    echo "hostname=$("$BOOT" exec "$NAME" -- hostname)"
    echo "LANG=$ORACLE_LANG TZ=UTC TERM(pipe)=dumb"
    echo "units="$UNITS
} > "$OUT/meta.txt"
echo "captured into $OUT ($(wc -l < "$OUT/index.tsv") commands)" >&2
