#!/bin/bash
# Captures golden/systemctl/ondemand from a real systemd 252 booted in namespaces with the
# oracle's boot-systemd.sh (ORACLE_DIR, default /work/shared/oracle). Run as root from anywhere:
#   golden/systemctl/ondemand/capture.sh        # writes golden/systemctl/ondemand/live
# The units of units/ (a drop-in directory among them) go to /etc/systemd/system before a
# daemon-reload, the files of staged/ to /opt/ondemand, where the commands below pick them up
# without a daemon-reload. The layout is the oracle capture.sh's:
# live/<group>/NN-slug.{cmd,stdout,stderr,rc}, live/index.tsv (group, case, rc, command).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ORACLE_DIR=${ORACLE_DIR:-/work/shared/oracle}
OUT=${1:-$HERE/live}
NAME=${ORACLE_NAME:-ondemand$$}
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
# the same under a pseudo-terminal of 80x24
run_tty() {
    run "$1" "$2" "TERM=xterm-256color script -qec $(printf %q "stty cols 80 rows 24 -onlcr; $3") /dev/null"
}
# the same with no manager to ask: /run/systemd (and runr's /run/runr) hidden under an empty
# tmpfs in a mount namespace of its own, so systemctl does the work itself, as on a host not
# booted with systemd
run_no_manager() {
    local hide='for d in /run/systemd /run/runr; do if [ -d $d ]; then mount -t tmpfs tmpfs $d; fi; done; '
    run "$1" "$2" "unshare -m sh -c $(printf %q "$hide$3")"
}

S=/etc/systemd/system
"$BOOT" exec "$NAME" -- mkdir -p /opt/ondemand "$S/od-drop.service.d"
for f in "$HERE"/units/* "$HERE"/units/*.d/*; do
    [ -f "$f" ] || continue
    rel=${f#"$HERE/units/"}
    "$BOOT" exec "$NAME" -- sh -c "cat > $S/$rel" < "$f"
done
for f in "$HERE"/staged/*; do
    "$BOOT" exec "$NAME" -- sh -c "cat > /opt/ondemand/$(basename "$f")" < "$f"
done

run setup daemon-reload "systemctl daemon-reload"
for u in od-run od-drop od-nodir od-wants; do run setup "start-$u" "systemctl start $u.service"; done

# Units written into the search path without daemon-reload.
G=ondemand
run $G status-before           "systemctl status od-late.service"
run $G show-before             "systemctl show -p LoadState,ActiveState od-late.service"
run $G is-enabled-before       "systemctl is-enabled od-late.service"
run $G write-late              "cp /opt/ondemand/od-late.service $S/"
run $G status-after            "systemctl status od-late.service"
run $G show-after              "systemctl show -p LoadState,ActiveState,UnitFileState,NeedDaemonReload od-late.service"
run $G is-enabled-after        "systemctl is-enabled od-late.service"
run $G start-late              "systemctl start od-late.service"
run $G is-active-late          "systemctl is-active od-late.service"
run $G status-late-running     "systemctl status od-late.service"
run $G enable-late             "systemctl enable od-late.service"
run $G is-enabled-late         "systemctl is-enabled od-late.service"
run $G write-fresh             "cp /opt/ondemand/od-fresh.service $S/"
run $G start-fresh             "systemctl start od-fresh.service"
run $G status-fresh            "systemctl status od-fresh.service"
run $G write-enable            "cp /opt/ondemand/od-enable.service $S/"
run $G enable-first            "systemctl enable od-enable.service"
run $G is-enabled-enable       "systemctl is-enabled od-enable.service"
run $G status-enable           "systemctl status od-enable.service"
run $G show-wanted-before      "systemctl show -p LoadState,ActiveState od-wanted.service"
run $G write-wanted            "cp /opt/ondemand/od-wanted.service $S/"
run $G show-wanted-after       "systemctl show -p LoadState,ActiveState od-wanted.service"
run $G status-wanted           "systemctl status od-wanted.service"
run $G start-wanted            "systemctl start od-wanted.service"
run $G is-active-wanted        "systemctl is-active od-wanted.service"
run $G write-vendor-new-dir    "mkdir -p /usr/local/lib/systemd/system && cp /opt/ondemand/od-vendor.service /usr/local/lib/systemd/system/"
run $G status-vendor           "systemctl status od-vendor.service"
run $G show-vendor             "systemctl show -p LoadState,FragmentPath,UnitFileState,UnitFilePreset od-vendor.service"
run $G write-template          "cp /opt/ondemand/od-tmpl@.service $S/"
run $G status-instance         "systemctl status od-tmpl@one.service"
run $G start-instance          "systemctl start od-tmpl@one.service"
run $G status-instance-running "systemctl status od-tmpl@one.service"
run $G write-gone              "cp /opt/ondemand/od-gone.service $S/"
run $G status-gone-present     "systemctl status od-gone.service"
run $G remove-gone             "rm $S/od-gone.service"
run $G status-gone-removed     "systemctl status od-gone.service"
run $G show-gone-removed       "systemctl show -p LoadState,ActiveState od-gone.service"

# A running unit whose file changes on disk.
G=changed
run $G show-before             "systemctl show -p Description,NeedDaemonReload od-run.service"
run $G rewrite                 "cp /opt/ondemand/od-run.service.v2 $S/od-run.service"
run $G show-after              "systemctl show -p Description,NeedDaemonReload od-run.service"
run $G show-value              "systemctl show -p NeedDaemonReload --value od-run.service"
run $G status                  "systemctl status od-run.service"
run $G status-two              "systemctl status od-run.service od-drop.service"
run_tty $G status-tty          "systemctl status od-run.service --no-pager"
run $G cat                     "systemctl cat od-run.service"
run $G is-active               "systemctl is-active od-run.service"
run $G list-units              "systemctl list-units --no-pager 'od-run*'"
run $G start                   "systemctl start od-run.service"
run $G start-no-block          "systemctl start --no-block od-run.service"
run $G reload                  "systemctl reload od-run.service"
run $G try-restart             "systemctl try-restart od-run.service"
run $G restart                 "systemctl restart od-run.service"
run $G reload-or-restart       "systemctl reload-or-restart od-run.service"
run $G try-reload-or-restart   "systemctl try-reload-or-restart od-run.service"
run $G status-restarted        "systemctl status od-run.service"
run $G stop                    "systemctl stop od-run.service"
run $G status-stopped          "systemctl status od-run.service"
run $G show-stopped            "systemctl show -p Description,NeedDaemonReload od-run.service"
run $G start-again             "systemctl start od-run.service"
run $G remove                  "rm $S/od-run.service"
run $G show-removed            "systemctl show -p Description,NeedDaemonReload od-run.service"
run $G status-removed          "systemctl status od-run.service"
run $G stop-removed            "systemctl stop od-run.service"
run $G status-after-stop       "systemctl status od-run.service"

# Drop-ins of running units change on disk.
G=dropin
D=$S/od-drop.service.d
run $G show-before             "systemctl show -p NeedDaemonReload,DropInPaths od-drop.service"
run $G add                     "cp /opt/ondemand/20-second.conf $D/"
run $G show-added              "systemctl show -p NeedDaemonReload,DropInPaths od-drop.service"
run $G status-added            "systemctl status od-drop.service"
run $G remove-added            "rm $D/20-second.conf"
run $G show-removed            "systemctl show -p NeedDaemonReload od-drop.service"
run $G touch                   "touch $D/10-first.conf"
run $G show-touched            "systemctl show -p NeedDaemonReload od-drop.service"
run $G restart-touched         "systemctl restart od-drop.service"
run $G daemon-reload           "systemctl daemon-reload"
run $G show-reloaded           "systemctl show -p NeedDaemonReload od-drop.service"
run $G new-dir                 "mkdir $S/od-nodir.service.d && cp /opt/ondemand/10-nodir.conf $S/od-nodir.service.d/"
run $G show-new-dir            "systemctl show -p Description,NeedDaemonReload od-nodir.service"
run $G status-new-dir          "systemctl status od-nodir.service"
run $G status-unknown          "systemctl status od-unknown.service"
run $G show-new-dir-seen       "systemctl show -p Description,NeedDaemonReload od-nodir.service"
run $G status-new-dir-seen     "systemctl status od-nodir.service"
run $G stop-new-dir            "systemctl stop od-nodir.service"
run $G status-new-dir-stopped  "systemctl status od-nodir.service"

# get-default and set-default.
G=default
run $G get                     "systemctl get-default"
run $G set-graphical           "systemctl set-default graphical.target"
run $G get-graphical           "systemctl get-default"
run $G link-graphical          "readlink $S/default.target"
run $G set-graphical-again     "systemctl set-default graphical.target"
run $G set-no-suffix           "systemctl set-default multi-user"
run $G get-multi-user          "systemctl get-default"
run $G set-own                 "systemctl set-default od-default.target"
run $G get-own                 "systemctl get-default"
run $G show-own                "systemctl show -p Id,Description default.target"
run $G set-missing             "systemctl set-default od-nosuch.target"
run $G set-missing-no-suffix   "systemctl set-default od-nosuch"
run $G set-service             "systemctl set-default od-run.service"
run $G set-default-target      "systemctl set-default default.target"
run $G set-template            "systemctl set-default od-tmpl@.target"
run $G set-no-args             "systemctl set-default"
run $G set-two                 "systemctl set-default a.target b.target"
run $G get-extra-arg           "systemctl get-default multi-user.target"
run $G set-quiet               "systemctl set-default -q graphical.target"
run $G get-after-quiet         "systemctl get-default"
run $G set-LANG-C              "LANG=C systemctl set-default multi-user.target"
run $G mask                    "ln -sf /dev/null $S/default.target"
run $G get-masked              "systemctl get-default"
run $G set-over-mask           "systemctl set-default multi-user.target"
run $G remove-link             "rm $S/default.target"
run $G get-vendor              "systemctl get-default"
run $G set-multi-user          "systemctl set-default multi-user.target"
run_no_manager $G get-no-manager       "systemctl get-default"
run_no_manager $G set-no-manager       "systemctl set-default graphical.target"
run_no_manager $G set-again-no-manager "systemctl set-default graphical.target"
run_no_manager $G get-after-no-manager "systemctl get-default"
run_no_manager $G set-missing-no-manager "systemctl set-default od-nosuch.target"
run_no_manager $G set-service-no-manager "systemctl set-default od-run.service"
run_no_manager $G set-back-no-manager  "systemctl set-default multi-user.target"
run $G get-back                "systemctl get-default"

# Verbs on a unit that does not exist.
G=missing
M=od-nosuch.service
for v in start stop restart reload try-restart condrestart reload-or-restart reload-or-try-restart \
         try-reload-or-restart force-reload condreload condstop enable disable reenable unmask; do
    run $G "$v" "systemctl $v $M"
done
run $G is-enabled              "systemctl is-enabled $M"
run $G mask                    "systemctl mask $M"
for v in start stop restart try-restart reload-or-restart reload-or-try-restart condrestart; do
    run $G "$v-masked" "systemctl $v $M"
done
run $G unmask-masked           "systemctl unmask $M"
run $G unmask-again            "systemctl unmask $M"

{
    echo "captured_at=$(date -u +%FT%TZ)"
    echo "systemd=$("$BOOT" exec "$NAME" -- systemctl --version | head -n1)"
    echo "hostname=$("$BOOT" exec "$NAME" -- hostname)"
    echo "LANG=$ORACLE_LANG TZ=UTC TERM(pipe)=dumb"
} > "$OUT/meta.txt"
echo "captured into $OUT ($(wc -l < "$OUT/index.tsv") commands)" >&2
