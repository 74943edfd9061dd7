systemctl is-active demo-oneshot.service
