systemctl show -p Conditions,Asserts assert-static.service
