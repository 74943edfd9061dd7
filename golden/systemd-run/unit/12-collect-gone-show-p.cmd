systemctl show -p Id,LoadState,ActiveState t-collect
