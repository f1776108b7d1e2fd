# HTTP/2 peers for the tests: the scripted server (servers/h2peer.py)
# and nghttpd (nghttp2-server) serving nginx's files (start_nginx
# first: NGINX_DIR).
# shellcheck shell=bash

# S PATH, H PATH: nginx's https (h2 by ALPN) and h2c URLs for PATH.
S() { echo "https://nk.test:$NGINX_SPORT$1"; }
H() { echo "http://nk.test:$NGINX_PORT$1"; }

# shellcheck disable=SC2046 # NKR gives separate words on purpose
nkh() { timeout -k 2 20 nk-http $(NKR) "$@"; }

# peer MODE: the scripted HTTP/2 server; sets PEER (its base URL).
peer() {
	local log="$BATS_TEST_TMPDIR/peer.$1.log" line
	start_bg "$log" "$PYTHON" "$TESTS_DIR/servers/h2peer.py" "$1"
	line=$(wait_for_line "$log" '^Listening on ') || return 1
	PEER="http://127.0.0.1:${line##*:}"
}

# nghttpd_start [tls]: nghttpd serving nginx's files, h2c (prior
# knowledge) or TLS; sets NGH (its port).
nghttpd_start() {
	local port args
	port=$(fast_port)
	if [ "${1:-}" = tls ]; then
		args=("$port" "$NGINX_DIR/certs/server.key" "$NGINX_DIR/certs/server.pem")
	else
		args=(--no-tls "$port")
	fi
	start_bg "$BATS_TEST_TMPDIR/nghttpd.$port.log" nghttpd -d "$NGINX_DIR/www" "${args[@]}"
	wait_port "$port" 3
	NGH="$port"
}
