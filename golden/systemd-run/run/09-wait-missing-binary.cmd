systemd-run --unit=t-nobin --wait /nonexistent/program
