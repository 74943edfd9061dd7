systemctl show demo-restart.service -p NRestarts,Restart,RestartUSec
