shutdown bogus
