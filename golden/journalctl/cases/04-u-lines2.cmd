journalctl --unit=chatty.service --lines=2 --no-pager
