systemctl cat t-timer.timer t-timer.service
