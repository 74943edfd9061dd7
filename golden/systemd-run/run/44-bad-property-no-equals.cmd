systemd-run --unit=t-badprop2 -p TimeoutStopSec true
