systemctl --root=relative-dir is-enabled demo-simple.service
