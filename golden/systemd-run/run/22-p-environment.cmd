systemd-run --unit=t-penv -p Environment=A=1 -p Environment=B=2 -P sh -c 'echo $A$B' </dev/null
