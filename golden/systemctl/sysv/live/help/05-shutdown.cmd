shutdown --help
