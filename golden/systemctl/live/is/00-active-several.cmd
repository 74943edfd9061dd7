systemctl is-active demo-simple.service demo-fail.service demo-idle.service nosuch.service
