journalctl -t myapp -p err -o cat --no-pager
