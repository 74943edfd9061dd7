systemctl --root=/tmp/sctl-offline-root daemon-reload
