telinit --no-wall q
