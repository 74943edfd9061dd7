systemctl is-failed rf-never-static.service
