systemctl show demo-simple.service -p NoSuchProperty
