systemctl status $(systemctl show -p MainPID --value demo-simple.service) --no-pager
