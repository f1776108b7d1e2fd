#!/bin/bash
# Records what curl sends for each case of `cases` (see there): runs curl
# against tests/servers/rawhttp.py with --record, from files/, and keeps
# the request body as case-N.body. Made with curl 7.88.1 (Debian 12); run
# again only to check another curl: the bodies hold curl's random
# boundary, which the test reads from their first line.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf 'recv\nsend HTTP/1.1 200 OK\\r\\nContent-Length: 0\\r\\nConnection: close\\r\\n\\r\\n\n' >"$tmp/c.case"
n=0
args=()
flush() {
	[ ${#args[@]} -gt 0 ] || return 0
	n=$((n + 1))
	rm -f "$tmp/conn-1" "$tmp/log"
	python3 "$here/../../servers/rawhttp.py" --record "$tmp" "$tmp/c.case" >"$tmp/log" &
	local pid=$! addr=
	for _ in $(seq 100); do
		addr=$(sed -n 's/^Listening on //p' "$tmp/log")
		[ -n "$addr" ] && break
		sleep 0.05
	done
	(cd "$here/files" && timeout 10 curl -sS -o /dev/null "${args[@]}" "http://$addr/")
	sleep 0.2
	kill "$pid"
	wait "$pid" 2>/dev/null || true
	# the body: everything after the blank line that ends the head
	python3 -c 'import sys; d = open(sys.argv[1], "rb").read(); open(sys.argv[2], "wb").write(d[d.index(b"\r\n\r\n") + 4:])' \
		"$tmp/conn-1" "$here/case-$n.body"
	args=()
}
while IFS= read -r line || [ -n "$line" ]; do
	case $line in
	'#'*) continue ;;
	'') flush ;;
	'F '*) args+=(-F "$(printf '%b' "${line#F }")") ;;
	'S '*) args+=(--form-string "$(printf '%b' "${line#S }")") ;;
	*) echo "capture.sh: bad line: $line" >&2; exit 1 ;;
	esac
done <"$here/cases"
flush
