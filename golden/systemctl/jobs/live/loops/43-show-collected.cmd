systemctl show -p ActiveState,SubState,Result loop-collected.service
