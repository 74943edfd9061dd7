systemctl show -p ConditionResult,ConditionTimestamp,AssertResult,AssertTimestamp cond-held-failed.service
