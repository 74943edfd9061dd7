systemd-run true
