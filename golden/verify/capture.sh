#!/bin/sh
# Captures `systemd-analyze verify` output for every case directory given
# (default: all NN-* directories beside this script).
#
# Each case directory holds unit files (drop-in directories too) and `cmd`,
# the command line to run. The files are copied to the fixed scratch
# directory /tmp/runr-verify, the command runs there, and its stdout, stderr
# and exit code are written back as `stdout`, `stderr` and `rc`.
set -u
here=$(cd "$(dirname "$0")" && pwd)
scratch=/tmp/runr-verify
[ $# -gt 0 ] || set -- "$here"/[0-9][0-9]-*
for case in "$@"; do
    case=$(cd "$case" && pwd)
    rm -rf "$scratch"
    mkdir -p "$scratch"
    (cd "$case" && tar -cf - --exclude=./cmd --exclude=./stdout --exclude=./stderr --exclude=./rc .) | (cd "$scratch" && tar -xf -)
    (cd "$scratch" && LANG=C.UTF-8 sh -c "$(cat "$case/cmd")" >"$case/stdout" 2>"$case/stderr"; echo $? >"$case/rc")
    rm -rf "$scratch"
done
