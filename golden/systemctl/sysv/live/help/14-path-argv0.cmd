/sbin/runlevel --help
