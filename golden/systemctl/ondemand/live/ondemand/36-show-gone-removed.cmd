systemctl show -p LoadState,ActiveState od-gone.service
