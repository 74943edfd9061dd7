shutdown -k +0 2>/dev/null; sleep 2; shutdown --show
