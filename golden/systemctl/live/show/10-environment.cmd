systemctl show demo-reload.service -p Environment,DropInPaths,FragmentPath
