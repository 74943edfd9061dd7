systemctl link /opt/units/demo-linked.service
