systemctl is-enabled demo-oneshot.service
