systemctl show -p ConditionResult,ConditionTimestamp,AssertResult,AssertTimestamp cond-met.service
