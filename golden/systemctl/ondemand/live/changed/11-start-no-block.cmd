systemctl start --no-block od-run.service
