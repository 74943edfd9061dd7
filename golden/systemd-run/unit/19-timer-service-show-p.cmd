systemctl show -p Id,Description,LoadState,ActiveState,SubState,Transient t-timer.service
