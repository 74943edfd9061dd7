#!/bin/bash
# Captures golden/systemd-run from a real systemd 252 booted in namespaces
# (../shared/oracle, needs root). Usage, from the repository root:
#   golden/systemd-run/capture.sh /path/to/oracle
# Only the groups of cmds.tsv (run/, unit/) are kept; capture.sh's standard
# per-unit and global captures of the helper unit are thrown away.
set -euo pipefail
ORACLE=${1:?usage: capture.sh ORACLE_DIR}
HERE=$(cd "$(dirname "$0")" && pwd)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/systemd-run-golden.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
EXTRA_CMDS_FILE="$HERE/cmds.tsv" SETTLE=1 ORACLE_NAME="sdrun$$" \
    "$ORACLE/capture.sh" "$TMP/out" "$HERE/runhelper.service"
for group in run unit; do
    rm -rf "${HERE:?}/$group"
    cp -r "$TMP/out/$group" "$HERE/$group"
done
grep -P '^(run|unit)\t' "$TMP/out/index.tsv" > "$HERE/index.tsv"
cp "$TMP/out/meta.txt" "$HERE/meta.txt"
