systemctl show -p ActiveState,SubState,Result,AssertResult assert-wanted.service
