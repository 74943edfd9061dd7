systemctl status demo.target --no-pager --full --lines=20
