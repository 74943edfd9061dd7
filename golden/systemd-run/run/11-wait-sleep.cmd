systemd-run --unit=t-sleep --wait sleep 1
