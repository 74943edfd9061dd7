systemctl cat demo-oneshot.service
