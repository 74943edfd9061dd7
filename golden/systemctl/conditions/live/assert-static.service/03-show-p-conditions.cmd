systemctl show -p ConditionResult,ConditionTimestamp,AssertResult,AssertTimestamp assert-static.service
