systemctl show -p Id,LoadState,ActiveState,SubState,Result,ExecMainStatus,ExecMainCode,Transient,CollectMode t-failkeep
