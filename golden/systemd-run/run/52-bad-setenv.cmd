systemd-run --setenv==x true
