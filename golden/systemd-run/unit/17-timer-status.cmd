systemctl status t-timer.timer --no-pager
