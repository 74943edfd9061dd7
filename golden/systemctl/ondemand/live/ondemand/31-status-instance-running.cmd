systemctl status od-tmpl@one.service
