systemctl kill -s BOGUS demo-simple.service
