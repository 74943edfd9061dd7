systemctl show -p ActiveState,SubState,Result,ExecMainCode,ExecMainStatus res-assert.service
