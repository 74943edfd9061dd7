systemctl show -p Id,LoadState,ActiveState,SubState,Result t-fire.service
