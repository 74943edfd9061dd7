systemctl show -p Conditions,Asserts cond-trigger.service
