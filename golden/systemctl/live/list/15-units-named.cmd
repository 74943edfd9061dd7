systemctl list-units --all --no-pager nosuch.service demo-masked.service demo-simple.service
