systemctl cat
