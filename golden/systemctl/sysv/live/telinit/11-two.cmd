telinit 2
