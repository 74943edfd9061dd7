systemctl --root=/tmp/sctl-offline-root enable demo-simple.service
