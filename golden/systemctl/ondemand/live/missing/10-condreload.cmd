systemctl condreload od-nosuch.service
