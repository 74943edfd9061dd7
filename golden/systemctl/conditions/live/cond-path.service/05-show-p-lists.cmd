systemctl show -p Conditions,Asserts cond-path.service
