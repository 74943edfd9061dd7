systemctl show -p ConditionResult,ConditionTimestamp,AssertResult,AssertTimestamp assert-path.service
