journalctl --vacuum-time=10years
