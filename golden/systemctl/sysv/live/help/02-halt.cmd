halt --help
