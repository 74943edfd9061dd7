systemctl show -p Conditions,Asserts cond-static.service
