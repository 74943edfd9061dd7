systemctl show -p ActiveState,SubState,Result,ConditionResult,AssertResult cond-held-failed.service
