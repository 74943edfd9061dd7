systemctl show -p Conditions,Asserts cond-later.service
