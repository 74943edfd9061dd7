systemctl show -p Version,Virtualization,SystemState,DefaultTimeoutStopUSec
