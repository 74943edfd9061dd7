systemctl is-failed rf-ok.service
