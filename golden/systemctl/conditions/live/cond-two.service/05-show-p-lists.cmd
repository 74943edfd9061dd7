systemctl show -p Conditions,Asserts cond-two.service
