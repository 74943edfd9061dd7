systemctl cat demo-simple.service demo-fail.service
