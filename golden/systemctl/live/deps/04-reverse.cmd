systemctl list-dependencies --reverse demo-reload.service --no-pager
