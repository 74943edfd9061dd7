systemctl --root=/tmp/sctl-offline-root disable demo-simple.service
