telinit 7
