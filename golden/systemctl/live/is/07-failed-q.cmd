systemctl is-failed -q demo-fail.service
