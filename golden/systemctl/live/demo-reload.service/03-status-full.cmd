systemctl status demo-reload.service --no-pager --full --lines=20
