telinit 3 4
