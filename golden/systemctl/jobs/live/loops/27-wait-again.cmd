sleep 3
