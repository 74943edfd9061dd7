systemctl show demo-oneshot.service -p Type,RemainAfterExit,ExecStart,ExecStop,ActiveState,SubState,Result
