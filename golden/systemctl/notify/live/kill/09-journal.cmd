journalctl -u kill-hup.service --no-pager
