systemctl cat nosuch.service demo-simple.service
