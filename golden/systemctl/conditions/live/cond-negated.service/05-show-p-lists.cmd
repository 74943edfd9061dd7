systemctl show -p Conditions,Asserts cond-negated.service
