systemctl show -p ConditionResult,ConditionTimestamp,AssertResult,AssertTimestamp cond-mixed.service
