systemctl --user poweroff
