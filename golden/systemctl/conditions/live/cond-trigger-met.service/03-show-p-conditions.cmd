systemctl show -p ConditionResult,ConditionTimestamp,AssertResult,AssertTimestamp cond-trigger-met.service
