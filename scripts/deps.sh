#!/bin/sh
# Installs the Debian packages in packages.txt that are missing (as root, with
# apt-get), or says exactly what to install. Usage: scripts/deps.sh [build|test]
set -eu
cd "$(dirname "$0")/.."
want=${1:-}
missing=""
for pkg in $(awk -v k="$want" '!/^#/ && NF >= 2 && (k == "" || $1 == k) { print $2 }' packages.txt); do
	status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
	case "$status" in
	*" installed") ;;
	*) missing="$missing $pkg" ;;
	esac
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "nk needs these Debian packages:$missing" >&2
	echo "install them with: sudo apt-get install$missing" >&2
	exit 1
fi
echo "installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# The package lists may be missing or stale on a fresh machine.
apt-get update -qq >/dev/null
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
