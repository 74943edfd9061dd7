#!/bin/bash
# Captures golden/systemctl/live from a real systemd 252 booted in namespaces, with the
# oracle's capture.sh (ORACLE_DIR, default /work/shared/oracle). Run as root from anywhere:
#   golden/systemctl/capture.sh            # writes golden/systemctl/live (replacing it)
# The offline cases (no manager running) come from capture-offline.sh.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ORACLE_DIR=${ORACLE_DIR:-/work/shared/oracle}
OUT=${1:-$HERE/live}
U=$HERE/units X=$HERE/extra
rm -rf "$OUT"
export ORACLE_NAME=${ORACLE_NAME:-sctl$$}
export EXTRA_FILES="$X/demo-masked.service:/usr/local/lib/systemd/system/demo-masked.service $X/demo-linked.service:/opt/units/demo-linked.service $X/demo-reload-override.conf:/etc/systemd/system/demo-reload.service.d/override.conf"
export EXTRA_SETUP="systemctl mask demo-masked.service && systemctl link /opt/units/demo-linked.service"
export ENABLE_ORDER="demo-simple.service demo-forking.service demo-oneshot.service demo-fail.service demo-restart.service demo-tick.timer demo-greet@world.service demo.target"
export START_ORDER="demo-simple.service demo-forking.service demo-oneshot.service demo-once.service demo-fail.service demo-restart.service demo-tick.timer demo-greet@world.service demo.target"
export EXTRA_UNITS="demo-greet@world.service demo-masked.service demo-linked.service demo-alias.service"
export EXTRA_CMDS_FILE=$HERE/extra-commands.tsv
"$ORACLE_DIR/capture.sh" "$OUT" \
    "$U/demo-simple.service" "$U/demo-forking.service" "$U/demo-oneshot.service" \
    "$U/demo-once.service" "$U/demo-fail.service" "$U/demo-restart.service" \
    "$U/demo-tick.timer" "$U/demo-tick.service" "$U/demo-greet@.service" \
    "$U/demo-idle.service" "$U/demo-reload.service" "$U/demo-badonce.service" "$U/demo.target"
