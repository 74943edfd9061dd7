systemctl is-failed rf-never.service
