telinit ''
