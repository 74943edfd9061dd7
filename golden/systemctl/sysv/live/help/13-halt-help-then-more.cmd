halt --help --bogus
