systemctl show -p ActiveState,SubState,Result,ExecMainCode,ExecMainStatus lim-high.service
