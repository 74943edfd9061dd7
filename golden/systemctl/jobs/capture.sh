#!/bin/bash
# Captures golden/systemctl/jobs from a real systemd 252 booted in namespaces with the oracle's
# boot-systemd.sh (ORACLE_DIR, default /work/shared/oracle). Run as root from anywhere:
#   golden/systemctl/jobs/capture.sh        # writes golden/systemctl/jobs/live
# The unit files of units/ (drop-in directories too) go to /etc/systemd/system and the files of
# files/ to the same paths in the guest; then the commands below run in order, each captured as
# the oracle's capture.sh captures: live/<group>/NN-slug.{cmd,stdout,stderr,rc} and
# live/index.tsv (group, case, rc, command). Waits are commands of their own (`sleep N`), so that
# a replay runs them too.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ORACLE_DIR=${ORACLE_DIR:-/work/shared/oracle}
OUT=${1:-$HERE/live}
NAME=${ORACLE_NAME:-jobs$$}
BOOT="$ORACLE_DIR/boot-systemd.sh"
export ORACLE_LANG=${ORACLE_LANG:-C.UTF-8}
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

(cd "$HERE/units" && tar cf - .) | "$BOOT" exec "$NAME" -- tar xf - -C /etc/systemd/system --no-overwrite-dir
(cd "$HERE/files" && tar cf - .) | "$BOOT" exec "$NAME" -- tar xf - -C / --no-overwrite-dir
run setup daemon-reload "systemctl daemon-reload"
run setup enable-assert-fail "systemctl enable assert-fail.service"
run setup enable-loop-manual "systemctl enable loop-manual.service"

# 1. Type=forking whose PID file comes after the start command has exited.
for u in fork-late fork-dir fork-never; do
    run forking "start-$u" "systemctl start $u.service"
    run forking "status-$u" "systemctl status $u.service"
    run forking "show-$u" "systemctl show -p Type,PIDFile,MainPID,ActiveState,SubState,Result $u.service"
    run forking "journal-$u" "journalctl -u $u.service --no-pager -o cat"
done
run forking stop-fork-late "systemctl stop fork-late.service"
run forking journal-stopped-fork-late "journalctl -u fork-late.service --no-pager -o cat"

# 2. Assert*=: what systemctl says, for which verbs and job modes.
A=assert-fail.service
run asserts start "systemctl start $A"
run asserts start-quiet "systemctl start -q $A"
run asserts start-no-block "systemctl start --no-block $A"
run asserts restart "systemctl restart $A"
run asserts try-restart "systemctl try-restart $A"
run asserts reload-or-restart "systemctl reload-or-restart $A"
run asserts try-reload-or-restart "systemctl try-reload-or-restart $A"
run asserts job-mode-fail "systemctl start --job-mode=fail $A"
run asserts job-mode-replace-irreversibly "systemctl start --job-mode=replace-irreversibly $A"
run asserts job-mode-ignore-dependencies "systemctl start --job-mode=ignore-dependencies $A"
run asserts job-mode-isolate "systemctl start --job-mode=isolate $A"
run asserts start-with-condition "systemctl start $A cond-skip.service"
run asserts start-condition-first "systemctl start cond-skip.service $A"
run asserts start-required "systemctl start assert-needed.service"
run asserts start-required-no-block "systemctl start --no-block assert-needed.service"
run asserts start-wanted "systemctl start assert-wanted.service"
for u in $A assert-needed.service assert-wanted.service; do
    run asserts "show-$u" "systemctl show -p ActiveState,SubState,Result,AssertResult $u"
done
run asserts is-failed "systemctl is-failed $A assert-needed.service assert-wanted.service"
run asserts journal "journalctl -u $A --no-pager -o cat"
run asserts journal-required "journalctl -u assert-needed.service --no-pager -o cat"

# 3. show -p Environment: several lines, drop-ins, resets, quoting; EnvironmentFile= apart.
for u in env-lines env-reset env-odd env-none; do
    run environment "show-p-$u" "systemctl show -p Environment $u.service"
    run environment "show-value-$u" "systemctl show -p Environment --value $u.service"
    run environment "show-P-$u" "systemctl show -P Environment $u.service"
    run environment "show-files-$u" "systemctl show -p EnvironmentFiles $u.service"
    run environment "show-four-$u" "systemctl show -p Environment,EnvironmentFiles,UnsetEnvironment,PassEnvironment $u.service"
    run environment "show-grep-$u" "systemctl show $u.service | grep -E '^(Environment|EnvironmentFiles|UnsetEnvironment|PassEnvironment)='"
    run environment "show-all-grep-$u" "systemctl show --all $u.service | grep -E '^(Environment|EnvironmentFiles|UnsetEnvironment|PassEnvironment)='"
done
for u in env-lines env-reset; do
    run environment "start-$u" "systemctl start $u.service"
    run environment "journal-$u" "journalctl -u $u.service --no-pager -o cat"
done

# 4a. How a start job ended, for each result: systemctl's words and the unit's Result=.
for u in res-exit res-signal res-core res-timeout res-resources res-dependency res-assert; do
    run results "start-$u" "systemctl start $u.service"
    run results "show-$u" "systemctl show -p ActiveState,SubState,Result,ExecMainCode,ExecMainStatus $u.service"
    run results "status-$u" "systemctl status $u.service"
done
run results show-res-exit-after-dependency "systemctl show -p ActiveState,SubState,Result res-exit.service"
run results start-instance "systemctl start res-inst@it.service"
run results start-instance-escaped "systemctl start 'res-inst@a\\x20b.service'"
# Each unit is started at most four times here: the default start limit is 5 starts in 10 s.
run results start-two "systemctl start res-exit.service res-signal.service"
run results start-quiet "systemctl start -q res-exit.service"
run results start-no-block "systemctl start --no-block res-core.service"
run results restart "systemctl restart res-signal.service"

# 4b. Crash loops that end at the start limit.
run loops start-loop-exit "systemctl start loop-exit.service"
run loops start-loop-signal "systemctl start loop-signal.service"
run loops start-loop-oneshot "systemctl start loop-oneshot.service"
run loops start-loop-clean "systemctl start loop-clean.service"
run loops wait "sleep 3"
for u in loop-exit loop-signal loop-oneshot loop-clean; do
    run loops "show-$u" "systemctl show -p ActiveState,SubState,Result,NRestarts,ExecMainCode,ExecMainStatus $u.service"
    # Without journal lines: which of the last run's lines systemd's status shows is a race
    # between journald receiving them and the unit's state change (journalctl has them all).
    run loops "status-$u" "systemctl status $u.service -n 0"
    run loops "journal-$u" "journalctl -u $u.service --no-pager -o cat"
    run loops "start-again-$u" "systemctl start $u.service"
done
run loops restart-loop-exit "systemctl restart loop-exit.service"
run loops start-quiet-loop-exit "systemctl start -q loop-exit.service"
run loops start-no-block-loop-exit "systemctl start --no-block loop-exit.service"
run loops reset-failed "systemctl reset-failed loop-exit.service"
run loops show-reset "systemctl show -p ActiveState,SubState,Result,NRestarts loop-exit.service"
run loops start-after-reset "systemctl start loop-exit.service"
run loops wait-again "sleep 3"
run loops show-after-reset "systemctl show -p ActiveState,SubState,Result,NRestarts loop-exit.service"
for n in 1 2 3 4; do run loops "start-manual-$n" "systemctl start loop-manual.service"; done
run loops show-manual "systemctl show -p ActiveState,SubState,Result,NRestarts loop-manual.service"
run loops status-manual "systemctl status loop-manual.service"
run loops start-quiet-manual "systemctl start -q loop-manual.service"
run loops start-no-block-manual "systemctl start --no-block loop-manual.service"
run loops restart-manual "systemctl restart loop-manual.service"
run loops reset-failed-manual "systemctl reset-failed loop-manual.service"
run loops start-manual-after-reset "systemctl start loop-manual.service"
for n in 1 2 3; do run loops "start-collected-$n" "systemctl start loop-collected.service"; done
run loops show-collected "systemctl show -p ActiveState,SubState,Result loop-collected.service"
run loops list-units "systemctl list-units --all --no-pager 'fork-*' 'res-*' 'loop-*' 'assert-*'"
run loops list-units-failed "systemctl list-units --failed --no-pager 'fork-*' 'res-*' 'loop-*' 'assert-*'"

{
    echo "captured_at=$(date -u +%FT%TZ)"
    echo "systemd=$("$BOOT" exec "$NAME" -- systemctl --version | head -n1)"
    echo "hostname=$("$BOOT" exec "$NAME" -- hostname)"
    echo "LANG=$ORACLE_LANG TZ=UTC TERM(pipe)=dumb"
} > "$OUT/meta.txt"
echo "captured into $OUT ($(wc -l < "$OUT/index.tsv") commands)" >&2
