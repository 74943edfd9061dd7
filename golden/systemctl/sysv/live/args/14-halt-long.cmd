halt --bogus
