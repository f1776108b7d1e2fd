#!/usr/bin/env bash
# make demo: a short tour of nk's main jobs against servers this script starts
# on 127.0.0.1 (nk's own echo server and nginx over HTTP and HTTPS with a
# throwaway test CA), stopped by PID when it ends, whatever way it ends.
set -u
cd "$(dirname "$0")/.."
B=${B:-build}
case $B in /*) ;; *) B=$PWD/$B ;; esac
export PATH="$B/bin:$PATH"
work=$(mktemp -d /tmp/nk-demo.XXXXXX)
# nginx started as root serves files as an unprivileged worker.
chmod 755 "$work"
pids=()

cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then bold=$'\e[1m' dim=$'\e[2m' off=$'\e[0m'; else bold= dim= off=; fi
say() { printf '\n%s# %s%s\n' "$dim" "$*" "$off"; }
# shown CMD...: the words as a person would type them, those with shell
# characters in single quotes.
shown() {
	local a out=()
	for a in "$@"; do
		if [[ $a =~ ^[A-Za-z0-9_./:@%+=,-]+$ ]]; then
			out+=("$a")
		else
			out+=("'${a//\'/\'\\\'\'}'")
		fi
	done
	printf '%s' "${out[*]}"
}
# run CMD...: shows the command as a person would type it, then runs it.
# The README's tour is this output (tests/cli/http_msgs.bats checks it).
run() {
	printf '%s$ %s%s\n' "$bold" "$(shown "$@")" "$off"
	"$@"
	local rc=$?
	[ $rc -ne 0 ] && printf '%s(exit status %d)%s\n' "$dim" "$rc" "$off"
	return 0
}
# run_sh 'PIPELINE': the same for a shell pipeline.
run_sh() {
	printf '%s$ %s%s\n' "$bold" "$1" "$off"
	bash -c "$1"
	local rc=$?
	[ $rc -ne 0 ] && printf '%s(exit status %d)%s\n' "$dim" "$rc" "$off"
	return 0
}
port_of() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() {
	local i
	for i in $(seq 100); do
		(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
		sleep 0.05
	done
	echo "demo: nothing listens on port $1" >&2
	exit 1
}

# --- servers -------------------------------------------------------------
nk-echo --listen 127.0.0.1:0 >"$work/echo.log" 2>&1 &
pids+=($!)
for i in $(seq 100); do grep -q '^Listening on' "$work/echo.log" && break; sleep 0.05; done
ECHO_PORT=$(sed -n 's/^Listening on .*://p' "$work/echo.log" | head -1)

tests/servers/http_certs.sh "$work/certs" >/dev/null
mkdir -p "$work/www" "$work/tmp"
printf 'Hello from nginx on loopback.\n' >"$work/www/index.html"
printf '{"tool": "nk", "jobs": ["fetch", "inspect", "talk"]}\n' >"$work/www/data.json"
HTTP_PORT=$(port_of)
HTTPS_PORT=$(port_of)
cat >"$work/nginx.conf" <<CONF
worker_processes 1;
pid $work/nginx.pid;
error_log $work/error.log;
events { worker_connections 64; }
http {
	access_log off;
	client_body_temp_path $work/tmp; proxy_temp_path $work/tmp;
	fastcgi_temp_path $work/tmp; uwsgi_temp_path $work/tmp; scgi_temp_path $work/tmp;
	types { text/html html; application/json json; }
	server {
		listen 127.0.0.1:$HTTP_PORT;
		listen 127.0.0.1:$HTTPS_PORT ssl;
		server_name demo.test;
		ssl_protocols TLSv1.2 TLSv1.3;
		ssl_certificate $work/certs/server.pem;
		ssl_certificate_key $work/certs/server.key;
		root $work/www;
		location = /old { return 301 /data.json; }
		# For the data step: the query as nginx got it, and a POST's
		# body (read by proxy_pass, handed on in a header) with its type.
		location = /search { return 200 "query: \$args\n"; }
		location = /echo {
			proxy_set_header X-Body \$request_body;
			proxy_pass http://127.0.0.1:$HTTP_PORT/echo-back;
		}
		location = /echo-back {
			return 200 "\$request_method \$http_content_type \$http_x_body\n";
		}
	}
}
CONF
nginx -c "$work/nginx.conf" -p "$work" -g 'daemon off;' >"$work/nginx.out" 2>&1 &
pids+=($!)
wait_port "$HTTP_PORT"
wait_port "$HTTPS_PORT"

R=(--resolve "nk.test:$HTTP_PORT:127.0.0.1")
RS=(--resolve "nk.test:$HTTPS_PORT:127.0.0.1")
# Run where the test CA is, so the commands read as a person types them.
cd "$work/certs" || exit 1
CA=(--cacert ca.pem)

printf '%snk demo%s: nk %s, servers on 127.0.0.1 (echo :%s, nginx :%s http, :%s https).\n' \
	"$bold" "$off" "$(nk --version | head -1 | cut -d' ' -f2)" "$ECHO_PORT" "$HTTP_PORT" "$HTTPS_PORT"
echo "nk.test is a test name, pointed at 127.0.0.1 with --resolve, as curl does."

say "Take a URL apart as a browser would (WHATWG URL Standard)"
run nk url 'HTTP://User@Example.COM:80/a/./b/../c?q=1#top'
run nk url --json '../d?x' 'https://example.com/a/b/c'

say "Resolve a name, in the order nk would connect"
run nk resolve localhost
run nk resolve --resolve nk.test:443:127.0.0.1 nk.test

say "Echo: round trips to nk's own echo server, checked byte for byte"
run nk echo 127.0.0.1 "$ECHO_PORT" hello nk
run nk echo -q --count 5 --size 64k 127.0.0.1 "$ECHO_PORT"

say "Fetch over HTTP, then HTTPS verified against the test CA"
run nk http "${R[@]}" "http://nk.test:$HTTP_PORT/"
run nk https "${RS[@]}" "${CA[@]}" "nk.test:$HTTPS_PORT/data.json"

say "Headers only (-I), and following a redirect (-L) with -i"
run nk http -I "${R[@]}" "http://nk.test:$HTTP_PORT/"
run nk http -L -i "${R[@]}" "http://nk.test:$HTTP_PORT/old"

say "Send data: a form in the query (-G), JSON in a POST"
run nk http -G --data-urlencode 'q=nk toolkit' -d page=2 "${R[@]}" "http://nk.test:$HTTP_PORT/search"
run nk http --json '{"tool": "nk"}' "${R[@]}" "http://nk.test:$HTTP_PORT/echo"

say "What happens on the wire (-v): resolve, connect, TLS, request, response"
run nk https -v -o /dev/null "${RS[@]}" "${CA[@]}" "https://nk.test:$HTTPS_PORT/"

say "Timings and results for scripts: -w '%{json}'"
run nk http -s -o /dev/null -w '%{json}\n' "${R[@]}" "http://nk.test:$HTTP_PORT/"

say "Failures have curl's exit codes: refused (7), unverified certificate (60)"
run nk http "http://127.0.0.1:1/"
run nk https "${RS[@]}" "https://nk.test:$HTTPS_PORT/"

say "Inspect a server's TLS handshake and certificate chain"
run nk tls "${RS[@]}" "${CA[@]}" "nk.test:$HTTPS_PORT"

say "Type HTTP by hand: a request piped through nk telnet (half-close, then the whole reply)"
run_sh "printf 'GET / HTTP/1.0\\r\\nHost: nk.test\\r\\n\\r\\n' | nk telnet 127.0.0.1 $HTTP_PORT"

printf '\n%sDone.%s The servers are stopped. Try: nk help, nk TOOL --help, man nk.\n' "$bold" "$off"
