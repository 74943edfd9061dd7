systemd-run --unit=t-ses --wait -p SuccessExitStatus=3 sh -c 'exit 3'
