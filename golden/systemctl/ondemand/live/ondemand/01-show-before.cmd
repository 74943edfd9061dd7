systemctl show -p LoadState,ActiveState od-late.service
