systemctl show -p Conditions,Asserts cond-trigger-met.service
