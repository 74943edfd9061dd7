systemctl show demo-idle.service -p User,Group,WorkingDirectory,Restart
