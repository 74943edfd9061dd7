systemctl show demo-simple.service -p ExecStart
