systemctl show -p Id,Description,ActiveState,SubState,Transient,FragmentPath,ExecMainStatus t-dup
