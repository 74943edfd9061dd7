systemctl show -p ActiveState,SubState,Result,ExecMainCode,ExecMainStatus res-exit.service
