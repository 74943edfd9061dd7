systemd-run --unit=t-badprop -p NoSuchProperty=1 true
