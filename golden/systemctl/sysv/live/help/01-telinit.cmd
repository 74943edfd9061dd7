telinit --help
