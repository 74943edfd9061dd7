systemctl is-failed rf-ok-static.service
