systemctl is-failed -q demo-simple.service
