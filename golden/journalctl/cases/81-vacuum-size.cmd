journalctl --vacuum-size=1G
