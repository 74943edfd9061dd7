systemctl kexec x
