systemctl cat t-remain
