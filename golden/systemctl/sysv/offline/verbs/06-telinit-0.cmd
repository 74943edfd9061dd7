telinit 0
