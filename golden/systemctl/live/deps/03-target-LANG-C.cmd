LANG=C systemctl list-dependencies demo.target --no-pager
