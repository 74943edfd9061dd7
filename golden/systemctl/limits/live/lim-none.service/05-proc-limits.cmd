grep -E '^Max (open files|locked memory)' /proc/$(systemctl show -p MainPID --value lim-none.service)/limits
