systemctl --root=/tmp/sctl-offline-root start demo-simple.service
