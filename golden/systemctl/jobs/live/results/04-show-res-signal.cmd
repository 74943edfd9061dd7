systemctl show -p ActiveState,SubState,Result,ExecMainCode,ExecMainStatus res-signal.service
