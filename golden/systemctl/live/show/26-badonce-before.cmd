systemctl show demo-badonce.service -p ActiveState,SubState,Result,ExecMainStatus
