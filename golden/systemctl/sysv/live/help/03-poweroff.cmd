poweroff --help
