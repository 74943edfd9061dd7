systemctl mask demo-masked.service && systemctl link /opt/units/demo-linked.service
