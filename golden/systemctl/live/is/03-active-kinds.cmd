systemctl is-active demo-restart.service demo-oneshot.service demo-once.service demo.target demo-tick.timer demo-forking.service demo-masked.service
