systemctl show -p ActiveState,SubState,Result,AssertResult assert-needed.service
