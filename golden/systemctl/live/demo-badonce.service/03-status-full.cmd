systemctl status demo-badonce.service --no-pager --full --lines=20
