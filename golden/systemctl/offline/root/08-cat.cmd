systemctl --root=/tmp/sctl-offline-root cat demo-reload.service
