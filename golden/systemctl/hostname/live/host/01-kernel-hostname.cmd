cat /proc/sys/kernel/hostname
