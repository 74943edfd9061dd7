journalctl --disk-usage
