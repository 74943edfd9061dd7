shutdown --bogus
