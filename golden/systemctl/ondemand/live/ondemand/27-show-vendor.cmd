systemctl show -p LoadState,FragmentPath,UnitFileState,UnitFilePreset od-vendor.service
