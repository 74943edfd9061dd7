systemctl show -p ActiveState,SubState,Result,NRestarts,ExecMainCode,ExecMainStatus loop-clean.service
