systemctl stop t-dup && systemctl is-active t-dup
