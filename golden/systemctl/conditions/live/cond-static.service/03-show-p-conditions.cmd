systemctl show -p ConditionResult,ConditionTimestamp,AssertResult,AssertTimestamp cond-static.service
