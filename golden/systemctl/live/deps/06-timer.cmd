systemctl list-dependencies demo-tick.timer --no-pager
