systemctl is-failed demo-fail.service demo-simple.service
