runlevel --bogus
