telinit Q
