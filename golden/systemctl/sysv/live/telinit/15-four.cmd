telinit 4
