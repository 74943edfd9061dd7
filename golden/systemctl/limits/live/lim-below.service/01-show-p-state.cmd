systemctl show -p ActiveState,SubState,Result,ExecMainCode,ExecMainStatus lim-below.service
