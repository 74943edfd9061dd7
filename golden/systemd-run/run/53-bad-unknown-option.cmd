systemd-run --frobnicate true
