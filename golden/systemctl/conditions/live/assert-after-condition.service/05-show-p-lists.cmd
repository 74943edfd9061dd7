systemctl show -p Conditions,Asserts assert-after-condition.service
