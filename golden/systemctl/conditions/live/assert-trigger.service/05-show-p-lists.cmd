systemctl show -p Conditions,Asserts assert-trigger.service
