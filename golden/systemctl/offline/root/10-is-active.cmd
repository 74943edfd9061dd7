systemctl --root=/tmp/sctl-offline-root is-active demo-simple.service
