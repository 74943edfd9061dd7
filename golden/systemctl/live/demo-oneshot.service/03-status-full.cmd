systemctl status demo-oneshot.service --no-pager --full --lines=20
