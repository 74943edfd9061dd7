systemctl reset-failed rf-never.service
