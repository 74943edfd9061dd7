systemctl is-enabled nosuch.service demo-simple.service
