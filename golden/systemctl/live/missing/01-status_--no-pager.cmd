systemctl status --no-pager nosuch.service
