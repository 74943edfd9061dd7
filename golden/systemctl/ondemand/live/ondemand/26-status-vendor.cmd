systemctl status od-vendor.service
