systemctl show demo-masked.service -p LoadState,ActiveState,UnitFileState,FragmentPath
