journalctl --bogus
