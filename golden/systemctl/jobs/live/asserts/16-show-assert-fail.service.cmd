systemctl show -p ActiveState,SubState,Result,AssertResult assert-fail.service
