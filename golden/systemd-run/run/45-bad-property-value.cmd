systemd-run --unit=t-badprop3 -p TimeoutStopSec=forever true
