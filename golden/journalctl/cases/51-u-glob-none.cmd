journalctl -u 'zzz*' --no-pager
