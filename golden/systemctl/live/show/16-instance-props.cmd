systemctl show demo-greet@world.service -p Id,Names,Description,Environment
