systemctl status res-assert.service
