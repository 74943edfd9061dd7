systemctl is-failed assert-fail.service assert-needed.service assert-wanted.service
