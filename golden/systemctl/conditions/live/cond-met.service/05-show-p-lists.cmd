systemctl show -p Conditions,Asserts cond-met.service
