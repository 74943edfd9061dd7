systemctl kill -s CONT demo-reload.service
