systemd-run --unit=t-relcmd --wait no-such-program-anywhere
