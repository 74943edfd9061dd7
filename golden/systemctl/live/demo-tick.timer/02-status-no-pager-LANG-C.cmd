LANG=C systemctl status demo-tick.timer --no-pager
