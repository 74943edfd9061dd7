systemctl status demo-tick.timer --no-pager --full --lines=20
