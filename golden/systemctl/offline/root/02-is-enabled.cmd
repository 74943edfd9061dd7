systemctl --root=/tmp/sctl-offline-root is-enabled demo-simple.service demo-alias.service
