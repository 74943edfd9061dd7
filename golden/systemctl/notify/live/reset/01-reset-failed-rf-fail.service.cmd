systemctl reset-failed rf-fail.service
