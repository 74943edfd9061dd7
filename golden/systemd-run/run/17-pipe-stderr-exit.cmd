systemd-run --unit=t-pipe3 --pipe sh -c 'echo out; echo err >&2; exit 4' </dev/null
