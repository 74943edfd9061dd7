systemctl is-failed t-failkeep
