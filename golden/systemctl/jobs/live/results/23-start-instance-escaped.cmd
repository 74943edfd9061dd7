systemctl start 'res-inst@a\x20b.service'
