systemctl list-units --no-pager 'od-run*'
