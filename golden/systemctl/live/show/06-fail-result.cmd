systemctl show demo-fail.service -p Result,ExecMainStatus,ExecMainCode,ActiveState,SubState
