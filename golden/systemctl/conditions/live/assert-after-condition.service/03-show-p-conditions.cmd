systemctl show -p ConditionResult,ConditionTimestamp,AssertResult,AssertTimestamp assert-after-condition.service
