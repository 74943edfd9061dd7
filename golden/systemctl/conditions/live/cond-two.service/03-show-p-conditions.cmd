systemctl show -p ConditionResult,ConditionTimestamp,AssertResult,AssertTimestamp cond-two.service
