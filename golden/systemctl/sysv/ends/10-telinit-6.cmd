telinit 6
