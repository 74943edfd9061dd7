telinit 3
