systemctl show -p LoadState,ActiveState od-wanted.service
