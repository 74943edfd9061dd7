systemctl kexec
