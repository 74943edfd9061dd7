systemctl show -p ActiveState,SubState,Result,ConditionResult,AssertResult assert-path.service
