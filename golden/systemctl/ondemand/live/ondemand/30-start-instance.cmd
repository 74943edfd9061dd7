systemctl start od-tmpl@one.service
