systemctl --root=/tmp/sctl-offline-root enable --now demo-forking.service
