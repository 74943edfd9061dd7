systemctl show demo-tick.timer -p Unit,TimersCalendar,AccuracyUSec,Persistent,WakeSystem,RemainAfterElapse
