telinit q
