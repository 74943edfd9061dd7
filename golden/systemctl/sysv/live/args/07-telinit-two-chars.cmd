telinit 33
