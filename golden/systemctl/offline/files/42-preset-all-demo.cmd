systemctl disable demo-idle.service && systemctl preset demo-idle.service demo-simple.service
