systemctl show -p Description,LoadState --value demo.target
