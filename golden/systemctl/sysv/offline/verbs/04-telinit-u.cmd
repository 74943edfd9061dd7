telinit u
