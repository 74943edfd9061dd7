systemctl show rf-fail.service | grep -E '^(ActiveState|SubState|Result|NRestarts|ExecMain|StatusText|StatusErrno|StateChange|InactiveExit|ActiveEnter|ActiveExit|InactiveEnter|Condition|Assert)'
