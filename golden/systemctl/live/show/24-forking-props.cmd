systemctl show demo-forking.service -p Type,PIDFile,GuessMainPID,ExecStart
