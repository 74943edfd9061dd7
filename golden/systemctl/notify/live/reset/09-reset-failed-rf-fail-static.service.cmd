systemctl reset-failed rf-fail-static.service
