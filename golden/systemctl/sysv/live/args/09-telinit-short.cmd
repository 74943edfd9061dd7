telinit -x
