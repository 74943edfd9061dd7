systemctl reset-failed rf-ok.service
