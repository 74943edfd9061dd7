systemctl show -p ConditionResult,ConditionTimestamp,AssertResult,AssertTimestamp cond-later.service
