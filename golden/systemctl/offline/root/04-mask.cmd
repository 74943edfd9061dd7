systemctl --root=/tmp/sctl-offline-root mask demo-masked.service
