reboot --help
