systemctl status --lines=abc demo-simple.service
