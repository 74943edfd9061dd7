systemctl --root=/tmp/sctl-offline-root show demo-simple.service
