systemctl --root=/tmp/sctl-offline-root status demo-simple.service
