#!/bin/sh
# The README's pre-start hook: here it creates the cluster on first start.
set -e
[ -f /pgdata/PG_VERSION ] && exit 0
/usr/lib/postgresql/15/bin/initdb -D /pgdata -U postgres --auth=trust >/dev/null
cat >> /pgdata/postgresql.conf <<CONF
listen_addresses = ''
unix_socket_directories = '/var/run/postgresql'
external_pid_file = '/var/run/postgresql/postmaster.pid'
CONF
