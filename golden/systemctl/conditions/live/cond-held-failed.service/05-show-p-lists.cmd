systemctl show -p Conditions,Asserts cond-held-failed.service
