#!/bin/bash
# Captures golden/systemctl/offline: the real systemctl 252 of this (Debian 12) machine, on a
# host where systemd is not PID 1, so no manager answers and the unit-file verbs work on files.
# It runs in a private mount namespace whose /etc/systemd/system, /usr/local/lib/systemd/system
# and /opt are empty tmpfs (the host's files are untouched), after installing the demo units as
# capture.sh does (the masked one as a vendor unit, the linked one under /opt/units, the drop-in),
# and a copy of the same under --root=/tmp/sctl-offline-root. Then every line of
# offline-commands.tsv, in order. Needs root.
#   golden/systemctl/capture-offline.sh    # writes golden/systemctl/offline (replacing it)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${1:-$HERE/offline}
rm -rf "$OUT"; mkdir -p "$OUT"; OUT=$(cd "$OUT" && pwd)
exec unshare --mount --propagation private bash -s "$HERE" "$OUT" <<'INNER'
set -euo pipefail
HERE=$1 OUT=$2
R=/tmp/sctl-offline-root
for d in /etc/systemd/system /usr/local/lib/systemd/system /opt; do mkdir -p "$d"; mount -t tmpfs tmpfs "$d"; done
mkdir -p "$R"; mount -t tmpfs tmpfs "$R"
install_units() {   # $1: the root ("" or $R)
    local r=$1
    mkdir -p "$r/etc/systemd/system/demo-reload.service.d" "$r/usr/local/lib/systemd/system" "$r/opt/units"
    cp "$HERE"/units/* "$r/etc/systemd/system/"
    cp "$HERE/extra/demo-masked.service" "$r/usr/local/lib/systemd/system/"
    cp "$HERE/extra/demo-linked.service" "$r/opt/units/"
    cp "$HERE/extra/demo-reload-override.conf" "$r/etc/systemd/system/demo-reload.service.d/override.conf"
}
install_units ""
install_units "$R"
mkdir -p "$R/lib/systemd/system"; cp /lib/systemd/system/multi-user.target /lib/systemd/system/timers.target "$R/lib/systemd/system/"
: > "$OUT/index.tsv"
declare -A SEQ
while IFS=$'\t' read -r -u 3 grp slug cmd; do
    case "$grp" in ''|'#'*) continue;; esac
    d="$OUT/$grp"; mkdir -p "$d"
    n=${SEQ[$grp]:-0}; SEQ[$grp]=$((n+1))
    f=$(printf '%s/%02d-%s' "$d" "$n" "$slug")
    case "$slug" in
        *-tty) full="TERM=xterm-256color script -qec $(printf %q "stty cols 80 rows 24 -onlcr; $cmd") /dev/null";;
        *) full=$cmd;;
    esac
    printf '%s\n' "$full" > "$f.cmd"
    (cd /tmp && env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 TERM=dumb \
        sh -c "$full") </dev/null >"$f.stdout" 2>"$f.stderr" 3<&- && rc=0 || rc=$?
    echo "$rc" > "$f.rc"
    printf '%s\t%s\t%s\t%s\n' "$grp" "$(basename "$f")" "$rc" "$full" >> "$OUT/index.tsv"
done 3< "$HERE/offline-commands.tsv"
{
    echo "captured_at=$(date -u +%FT%TZ)"
    echo "systemd=$(systemctl --version | head -n1)"
    echo "pid1=$(cat /proc/1/comm)"
    echo "LANG=C.UTF-8 TERM(pipe)=dumb cwd=/tmp"
} > "$OUT/meta.txt"
echo "captured into $OUT ($(wc -l < "$OUT/index.tsv") commands)" >&2
INNER
