systemctl cat nosuch.service
