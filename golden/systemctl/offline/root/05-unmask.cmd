systemctl --root=/tmp/sctl-offline-root unmask demo-masked.service
