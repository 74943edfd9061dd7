systemctl show -p Id,LoadState,ActiveState,SubState t-fire.timer
