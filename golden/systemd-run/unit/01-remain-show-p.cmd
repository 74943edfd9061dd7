systemctl show -p Id,Description,LoadState,ActiveState,SubState,Result,FragmentPath,Transient,RemainAfterExit,Type,ExecMainStatus,CollectMode t-remain
