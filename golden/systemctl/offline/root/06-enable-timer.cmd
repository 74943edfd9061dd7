systemctl --root=/tmp/sctl-offline-root enable demo-tick.timer
