systemctl condstop od-nosuch.service
