runlevel --help
