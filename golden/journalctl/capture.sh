#!/bin/bash
# capture.sh: captures the journalctl golden cases from a real systemd 252.
#
#   golden/journalctl/capture.sh [ORACLE_DIR]
#
# Boots a real systemd 252 in namespaces with ORACLE_DIR/capture.sh (default
# ../shared/oracle beside the repository), installs units/*.service, starts
# them, waits SETTLE seconds, and runs every line of commands.tsv in the
# guest. The journalctl outputs land in cases/NN-slug.{cmd,stdout,stderr,rc};
# meta.txt keeps the guest's hostname, boot ID and versions. Everything else
# the oracle captures (systemctl outputs) is thrown away.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ORACLE=${1:-$HERE/../../../shared/oracle}
[ -x "$ORACLE/capture.sh" ] || { echo "no oracle at $ORACLE" >&2; exit 2; }
SCRATCH=$(mktemp -d /tmp/runr-journal-capture.XXXXXX)
trap 'rm -rf "$SCRATCH"' EXIT
SETTLE=${SETTLE:-5} ORACLE_NAME=runr-journal-$$ EXTRA_CMDS_FILE="$HERE/commands.tsv" \
    "$ORACLE/capture.sh" "$SCRATCH/out" "$HERE"/units/*.service
rm -rf "$HERE/cases"
mkdir -p "$HERE/cases"
cp "$SCRATCH"/out/journal/* "$HERE/cases/"
cp "$SCRATCH/out/meta.txt" "$HERE/meta.txt"
echo "captured $(ls "$HERE"/cases/*.cmd | wc -l) cases into $HERE/cases" >&2
