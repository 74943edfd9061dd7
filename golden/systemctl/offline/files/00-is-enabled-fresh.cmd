systemctl is-enabled demo-simple.service demo-idle.service demo-once.service demo-greet@.service demo-tick.timer demo-tick.service demo.target
