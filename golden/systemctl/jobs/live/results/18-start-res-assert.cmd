systemctl start res-assert.service
