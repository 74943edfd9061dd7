systemctl show -p ConditionResult,ConditionTimestamp,AssertResult,AssertTimestamp cond-negated.service
