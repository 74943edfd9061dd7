systemctl status demo-oneshot.service -n 0
