#!/usr/bin/env bash
# guest.sh -- boot runr as PID 1 of a throw-away guest: private pid, mount,
# uts, ipc, net and cgroup namespaces on a tmpfs overlay of the host's /.
# Nothing the guest writes reaches the host; `stop` kills only the guest's
# PID 1 (by PID), which takes the whole pid namespace with it.
#
#   guest.sh start NAME RUNR [ARGS...]   boot; prints the host PID of PID 1
#   guest.sh exec  NAME -- CMD...         run CMD inside the guest as root
#   guest.sh stop  NAME                   kill the guest and clean up
#
# In the guest, RUNR is /usr/local/bin/runr, and systemctl, journalctl,
# systemd-run and systemd-analyze (in /usr/bin), runlevel, telinit, halt,
# poweroff, reboot and shutdown (in /usr/sbin) are symlinks to it; PID 1 runs
# `runr ARGS` (default: supervisor). Its stdout and stderr go to
# $GUEST_STATE/NAME/console.log.
# Env: GUEST_STATE (default /tmp/runr-guests), GUEST_UNITS (a host directory
# whose files are copied to /etc/systemd/system before boot), GUEST_FILES
# ("HOSTPATH:GUESTPATH ..." copied into the guest before boot), GUEST_BIND
# ("HOSTDIR:GUESTDIR ..." bind-mounted into the guest, so that what is
# written there outlives it), GUEST_NOFILE (PID 1's limit of open files,
# soft and hard, as the oracle's systemd had it when goldens were captured),
# GUEST_PRLIMIT (prlimit(1) options for PID 1: "--nofile=1024:4096 ..."),
# GUEST_DROP_CAPS ("sys_resource ...": capabilities PID 1 does without,
# dropped from its bounding and inheritable sets, as Docker drops them).
# When PID 1 exits, its exit status is written to $GUEST_STATE/NAME/exit-status.
set -euo pipefail

STATE=${GUEST_STATE:-/tmp/runr-guests}
verb=${1:-}; name=${2:-}
[ -n "$verb" ] && [ -n "$name" ] || { sed -n '2,16p' "$0"; exit 2; }
shift 2
dir=$STATE/$name

boot_inside() {
    # PID 1 of the new pid namespace; the new mount namespace is private.
    set -eu
    local root=$dir/root
    hostname "$name"
    ip link set lo up 2>/dev/null || true
    mount -t tmpfs -o mode=755 tmpfs "$dir/layers"
    mkdir -p "$dir/layers/upper" "$dir/layers/work" "$root"
    mount -t overlay overlay -o "lowerdir=/,upperdir=$dir/layers/upper,workdir=$dir/layers/work" "$root"
    local bind
    for bind in ${GUEST_BIND:-}; do
        mkdir -p "$root/${bind#*:}"
        mount --bind "${bind%%:*}" "$root/${bind#*:}"
    done
    mount -t proc proc "$root/proc"
    mount -t sysfs -o ro sysfs "$root/sys"
    mount -t cgroup2 -o nsdelegate cgroup2 "$root/sys/fs/cgroup" 2>/dev/null || true
    mount -t tmpfs -o mode=755,size=64m tmpfs "$root/dev"
    local node
    for node in null:1:3 zero:1:5 full:1:7 random:1:8 urandom:1:9 tty:5:0; do
        IFS=: read -r n major minor <<<"$node"
        mknod -m 666 "$root/dev/$n" c "$major" "$minor"
    done
    mkdir -p "$root/dev/pts" "$root/dev/shm"
    mount -t tmpfs -o mode=1777 tmpfs "$root/dev/shm"
    mount -t devpts -o newinstance,ptmxmode=0666 devpts "$root/dev/pts"
    ln -s pts/ptmx "$root/dev/ptmx"
    ln -s /proc/self/fd "$root/dev/fd"
    mount -t tmpfs -o mode=755 tmpfs "$root/run"
    mount -t tmpfs -o mode=1777 tmpfs "$root/tmp"
    # A container has no systemd: no enabled host units, no systemd binaries
    # answering in place of runr.
    rm -rf "$root"/etc/systemd/system/*.wants
    install -m 755 "$dir/runr" "$root/usr/local/bin/runr"
    local tool d
    for tool in systemctl journalctl systemd-run systemd-analyze; do
        for d in usr/bin bin; do
            [ -L "$root/$d" ] && continue
            rm -f "$root/$d/$tool"
            ln -s /usr/local/bin/runr "$root/$d/$tool"
        done
    done
    # systemd-sysv's names, which Debian links to systemctl.
    for tool in runlevel telinit halt poweroff reboot shutdown; do
        for d in usr/sbin sbin; do
            [ -L "$root/$d" ] && continue
            rm -f "$root/$d/$tool"
            ln -s /usr/local/bin/runr "$root/$d/$tool"
        done
    done
    if [ -d "$dir/units" ]; then
        cp -a "$dir/units/." "$root/etc/systemd/system/"
    fi
    # A container's /etc/hostname names it (Docker bind-mounts one), as the
    # oracle's boot script writes its guest's; GUEST_FILES may say otherwise.
    echo "$name" > "$root/etc/hostname"
    local pair
    for pair in ${GUEST_FILES:-}; do
        mkdir -p "$(dirname "$root/${pair#*:}")"
        cp -a "${pair%%:*}" "$root/${pair#*:}"
    done
    cd "$root"
    mkdir -p .host
    pivot_root . .host
    umount -l /.host
    rmdir /.host
    cd /
    if [ -n "${GUEST_NOFILE:-}" ]; then ulimit -n "$GUEST_NOFILE"; fi
    # shellcheck disable=SC2086
    if [ -n "${GUEST_PRLIMIT:-}" ]; then prlimit --pid $$ $GUEST_PRLIMIT; fi
    local drop=() caps
    # shellcheck disable=SC2086
    caps=$(printf -- '-%s,' ${GUEST_DROP_CAPS:-})
    [ "$caps" = "-," ] || drop=(setpriv --bounding-set "${caps%,}" --inh-caps "${caps%,}")
    exec "${drop[@]}" env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
        container=runr-guest /usr/local/bin/runr "${GUEST_ARGS[@]}" </dev/null
}

host_pid_of_guest_init() {
    # The child of `unshare --fork` is the guest's PID 1.
    local unshare_pid=$1 child
    for _ in $(seq 1 100); do
        child=$(cat /proc/"$unshare_pid"/task/*/children 2>/dev/null | tr ' ' '\n' | grep -m1 . || true)
        if [ -n "$child" ] && [ "$(awk '/^NSpid:/{print $NF}' /proc/"$child"/status 2>/dev/null)" = 1 ]; then
            echo "$child"
            return 0
        fi
        sleep 0.05
    done
    return 1
}

guest_init_state() {
    # runr: PID 1 runs runr; gone: it exited (or is a zombie); setup: still
    # the shell preparing the root.
    local pid=$1 state
    state=$(awk '{print $3}' /proc/"$pid"/stat 2>/dev/null || true)
    if [ -z "$state" ] || [ "$state" = Z ] || [ "$state" = X ]; then
        echo gone
    elif [ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = /usr/local/bin/runr ]; then
        echo runr
    else
        echo setup
    fi
}

# A new cgroup v2 group for the guest, below the caller's own, named after
# the state directory and the guest (both together are unique); nothing when
# there is no cgroup v2 hierarchy to write to.
guest_cgroup() {
    local mount own group
    mount=$(findmnt -n -t cgroup2 -o TARGET 2>/dev/null | head -n1)
    own=$(sed -n 's/^0:://p' /proc/self/cgroup)
    [ -n "$mount" ] && [ -n "$own" ] || return 0
    group="$mount${own%/}/runr-guest-$(basename "$STATE")-$name"
    mkdir -p "$group" 2>/dev/null && echo "$group" > "$dir/cgroup" && echo "$group"
    return 0
}

case "$verb" in
start)
    runr=${1:?give the runr binary}; shift
    [ -e "$dir/pid" ] && { echo "guest $name exists" >&2; exit 1; }
    mkdir -p "$dir/layers" "$dir/root"
    install -m 755 "$runr" "$dir/runr"
    if [ -n "${GUEST_UNITS:-}" ]; then cp -a "$GUEST_UNITS" "$dir/units"; fi
    GUEST_ARGS=("${@:-supervisor}")
    [ $# -gt 0 ] || GUEST_ARGS=(supervisor)
    export dir name GUEST_FILES GUEST_BIND GUEST_NOFILE GUEST_PRLIMIT GUEST_DROP_CAPS
    export -f boot_inside
    # A control group of its own, the root of the guest's cgroup namespace:
    # guests booted side by side (other test runs on the machine) would
    # otherwise share /system.slice/NAME.service and see each other's
    # processes in their units' groups.
    group=$(guest_cgroup)
    # unshare --fork exits with the status of the guest's PID 1.
    (
        if [ -n "$group" ]; then echo $BASHPID > "$group/cgroup.procs" 2>/dev/null || true; fi
        setsid unshare --pid --fork --mount --uts --ipc --net --cgroup --propagation private \
            bash -c "GUEST_ARGS=($(printf '%q ' "${GUEST_ARGS[@]}")); boot_inside" \
            >"$dir/console.log" 2>&1 </dev/null &
        echo $! > "$dir/unshare.pid"
        # errexit would end this subshell at a non-zero status.
        status=0
        wait $! || status=$?
        echo "$status" > "$dir/exit-status.new"
        mv "$dir/exit-status.new" "$dir/exit-status"
    ) >/dev/null 2>&1 &
    for _ in $(seq 1 100); do [ -s "$dir/unshare.pid" ] && break; sleep 0.02; done
    unshare_pid=$(cat "$dir/unshare.pid")
    pid=$(host_pid_of_guest_init "$unshare_pid") || { echo "guest $name did not boot; see $dir/console.log" >&2; exit 1; }
    # PID 1 is a shell setting up the root until it execs runr: entering it
    # before then would land in the host's root. A PID 1 that already ran
    # and exited (`runr --version`) is a zombie whose exe cannot be read.
    for _ in $(seq 1 1500); do
        [ "$(guest_init_state "$pid")" = setup ] || break
        sleep 0.02
    done
    if [ "$(guest_init_state "$pid")" = setup ]; then
        echo "guest $name: PID 1 did not start runr; see $dir/console.log" >&2
        exit 1
    fi
    echo "$pid" > "$dir/pid"
    echo "$pid"
    ;;
exec)
    [ "${1:-}" = "--" ] && shift
    pid=$(cat "$dir/pid")
    exec nsenter --target "$pid" --mount --uts --ipc --net --pid --cgroup --root --wd \
        env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 "$@"
    ;;
stop)
    if [ -s "$dir/pid" ]; then
        pid=$(cat "$dir/pid")
        kill -KILL "$pid" 2>/dev/null || true
        for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
    fi
    if [ -s "$dir/unshare.pid" ]; then
        upid=$(cat "$dir/unshare.pid")
        for _ in $(seq 1 100); do kill -0 "$upid" 2>/dev/null || break; sleep 0.05; done
    fi
    if [ -s "$dir/cgroup" ] && [ -d "$(cat "$dir/cgroup")" ]; then
        # The groups runr made inside, then the guest's own.
        find "$(cat "$dir/cgroup")" -depth -type d -exec rmdir {} \; 2>/dev/null || true
    fi
    rm -rf --one-file-system "$dir"
    ;;
*) sed -n '2,16p' "$0"; exit 2 ;;
esac
