systemctl show -p Conditions,Asserts cond-mixed.service
