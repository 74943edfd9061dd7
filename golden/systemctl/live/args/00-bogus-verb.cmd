systemctl bogus-verb
