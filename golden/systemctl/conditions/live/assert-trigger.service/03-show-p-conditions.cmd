systemctl show -p ConditionResult,ConditionTimestamp,AssertResult,AssertTimestamp assert-trigger.service
