telinit 5
