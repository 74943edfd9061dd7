systemctl set-default a.target b.target
