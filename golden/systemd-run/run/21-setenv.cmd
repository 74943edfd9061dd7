systemd-run --unit=t-env --setenv=FOO=bar --setenv=BAZ='two words' -P sh -c 'echo "$FOO/$BAZ"' </dev/null
