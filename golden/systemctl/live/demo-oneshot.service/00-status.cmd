systemctl status demo-oneshot.service
