systemctl is-failed rf-fail-static.service
