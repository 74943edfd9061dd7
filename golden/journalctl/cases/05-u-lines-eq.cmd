journalctl --unit=chatty.service --lines=3 --output=cat --no-pager
