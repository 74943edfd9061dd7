systemctl condrestart od-nosuch.service
