systemctl --bogus-option
