systemd-run --unit=t-prop -p TimeoutStopSec=3 -p KillSignal=SIGINT --wait true
