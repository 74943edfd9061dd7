systemctl show -p Id,LoadState,ActiveState,SubState t-basic
