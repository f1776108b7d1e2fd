#!/usr/bin/env bash
# apache_auth.sh DIR [USER [PASSWORD]]: Apache httpd (Debian's apache2)
# with mod_auth_digest and mod_auth_basic as the auth peer of the nk http
# tests, in the foreground (exec: the caller's PID is the server's; TERM
# stops it). DIR becomes its ServerRoot: apache2.conf from
# apache_auth.conf.in, the htdigest and htpasswd files for USER (default
# "nk") and PASSWORD (default "pass w0rd"), www/{digest,stale,basic}/
# index.txt, logs, and DIR/port, written just before the exec, with the
# free port on 127.0.0.1 it listens on (PORT from the environment wins).
#
# As root Apache serves as nobody, which must reach DIR: give a DIR whose
# every parent is world-searchable (apache_auth.bash makes one in /tmp).
set -eu
[ $# -ge 1 ] || { echo "usage: $0 DIR [USER [PASSWORD]]" >&2; exit 2; }
dir=$1 user=${2:-nk} pass=${3:-pass w0rd}
here=$(cd "$(dirname "$0")" && pwd)
apache=${APACHE2:-/usr/sbin/apache2}
realm="nk digest"
[ -x "$apache" ] || { echo "$0: $apache not found (apt-get install apache2)" >&2; exit 2; }

mkdir -p "$dir/run" "$dir/www/digest" "$dir/www/stale" "$dir/www/basic"
dir=$(cd "$dir" && pwd)
printf 'digest ok\n' >"$dir/www/digest/index.txt"
printf 'stale ok\n' >"$dir/www/stale/index.txt"
printf 'basic ok\n' >"$dir/www/basic/index.txt"
# htdigest's format, made without its password prompt:
# user:realm:MD5(user:realm:password)
ha1=$(printf '%s:%s:%s' "$user" "$realm" "$pass" | md5sum | cut -d' ' -f1)
printf '%s:%s:%s\n' "$user" "$realm" "$ha1" >"$dir/htdigest"
printf '%s:%s\n' "$user" "$(openssl passwd -apr1 "$pass")" >"$dir/htpasswd"

port=${PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')}
userline=
if [ "$(id -u)" -eq 0 ]; then
	userline="User nobody\\nGroup $(id -gn nobody)"
	chmod -R a+rX "$dir"
fi
sed -e "s|@DIR@|$dir|g" -e "s|@PORT@|$port|g" -e "s|@USER@|$userline|" \
	"$here/apache_auth.conf.in" >"$dir/apache2.conf"
"$apache" -t -f "$dir/apache2.conf" >"$dir/configtest.log" 2>&1 ||
	{ cat "$dir/configtest.log" >&2; exit 1; }
echo "$port" >"$dir/port"
exec "$apache" -f "$dir/apache2.conf" -DFOREGROUND
