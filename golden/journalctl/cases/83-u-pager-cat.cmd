SYSTEMD_PAGER=cat journalctl -u chatty.service -n 2
