telinit
