systemctl status -o bogus demo-simple.service
