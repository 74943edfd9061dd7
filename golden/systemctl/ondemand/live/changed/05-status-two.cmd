systemctl status od-run.service od-drop.service
