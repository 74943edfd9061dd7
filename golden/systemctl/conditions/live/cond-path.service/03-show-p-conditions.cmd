systemctl show -p ConditionResult,ConditionTimestamp,AssertResult,AssertTimestamp cond-path.service
