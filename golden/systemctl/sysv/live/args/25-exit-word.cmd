systemctl exit abc
