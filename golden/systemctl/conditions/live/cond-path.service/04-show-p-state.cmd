systemctl show -p ActiveState,SubState,Result,ConditionResult,AssertResult cond-path.service
