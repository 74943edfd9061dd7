systemctl show -p Id,Description,LoadState,ActiveState,SubState,Transient,Unit t-timer.timer
