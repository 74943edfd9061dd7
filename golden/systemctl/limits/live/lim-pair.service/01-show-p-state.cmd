systemctl show -p ActiveState,SubState,Result,ExecMainCode,ExecMainStatus lim-pair.service
