systemctl show -p ActiveState,SubState,Result,ConditionResult,AssertResult assert-after-condition.service
