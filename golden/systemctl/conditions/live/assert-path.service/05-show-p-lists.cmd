systemctl show -p Conditions,Asserts assert-path.service
