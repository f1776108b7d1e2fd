# Helpers for the nk http tests: a real nginx on 127.0.0.1 (HTTP and HTTPS,
# a test CA), and the scripted raw server for broken and hostile replies.
# Load after ../lib/common.

SERVERS_DIR="$TESTS_DIR/servers"
# The system's interpreter when there is one: a version manager's shim
# costs a fifth of a second per start.
PYTHON=python3
[ -x /usr/bin/python3 ] && PYTHON=/usr/bin/python3

# fast_port: free_port without a version manager's start-up cost.
fast_port() {
	"$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# http_files DIR: the files nginx serves, of known content.
http_files() {
	local d=$1
	mkdir -p "$d/gz" "$d/private" "$d/dir"
	printf 'hello world\n' >"$d/hello.txt"
	printf 'secret\n' >"$d/private/s.txt"
	# 100000 bytes of a pattern a partial or shifted copy cannot match.
	"$PYTHON" -c 'import sys; sys.stdout.write("".join("%07d\n" % i for i in range(12500)))' >"$d/100k.txt"
	cp "$d/100k.txt" "$d/gz/100k.txt"
	head -c 300000 /dev/urandom >"$d/random.bin"
	printf 'a\0b\0binary\n' >"$d/nul.bin"
	printf 'in a dir\n' >"$d/dir/file.txt"
}

# start_nginx: nginx in the foreground, with free ports; sets NGINX_PORT,
# NGINX_SPORT, NGINX_DIR (its prefix: certs/, www/) and NGINX_PID. Meant for
# setup_file; stop it with stop_nginx in teardown_file. NGINX_CONF_IN: another
# configuration template than servers/nginx.conf.in (same placeholders).
start_nginx() {
	NGINX_DIR="$BATS_FILE_TMPDIR/nginx"
	mkdir -p "$NGINX_DIR/tmp" "$NGINX_DIR/www"
	"$SERVERS_DIR/http_certs.sh" "$NGINX_DIR/certs"
	http_files "$NGINX_DIR/www"
	# user "nk", password "pass w0rd"
	printf 'nk:%s\n' "$(openssl passwd -apr1 'pass w0rd')" >"$NGINX_DIR/htpasswd"
	local try
	for try in 1 2 3; do
		NGINX_PORT=$(fast_port)
		NGINX_SPORT=$(fast_port)
		[ "$NGINX_PORT" != "$NGINX_SPORT" ] || continue
		sed -e "s|@PREFIX@|$NGINX_DIR|g" -e "s|@PORT@|$NGINX_PORT|g" \
		    -e "s|@SPORT@|$NGINX_SPORT|g" -e "s|@ROOT@|$NGINX_DIR/www|g" \
		    -e "s|@CERTS@|$NGINX_DIR/certs|g" \
		    "${NGINX_CONF_IN:-$SERVERS_DIR/nginx.conf.in}" >"$NGINX_DIR/nginx.conf"
		nginx -c "$NGINX_DIR/nginx.conf" -p "$NGINX_DIR" \
			>"$NGINX_DIR/stdout.log" 2>&1 </dev/null &
		NGINX_PID=$!
		if wait_port "$NGINX_PORT" 3 && wait_port "$NGINX_SPORT" 1; then
			export NGINX_PORT NGINX_SPORT NGINX_DIR NGINX_PID
			return 0
		fi
		stop_pid "$NGINX_PID"
	done
	cat "$NGINX_DIR/error.log" "$NGINX_DIR/stdout.log" >&2
	return 1
}

stop_nginx() {
	[ -n "${NGINX_PID:-}" ] && stop_pid "$NGINX_PID"
	return 0
}

# The options that reach nginx under its test names, trusting the test CA.
NKR() {
	echo --resolve "nk.test:$NGINX_PORT:127.0.0.1" \
	     --resolve "nk.test:$NGINX_SPORT:127.0.0.1" \
	     --resolve "other.test:$NGINX_PORT:127.0.0.1" \
	     --resolve "other.test:$NGINX_SPORT:127.0.0.1" \
	     --cacert "$NGINX_DIR/certs/ca.pem"
}

# start_raw CASEFILE [RECORDDIR [BINDADDR]]: the scripted server on port
# 0 (on 127.0.0.1, or BINDADDR); sets RAW_PORT and RAW_PID. With RECORDDIR,
# what nk sends on connection N is kept in RECORDDIR/conn-N.
start_raw() {
	local case=$1 rec=${2:-} bind=${3:-127.0.0.1}
	local log="$BATS_TEST_TMPDIR/raw.$RANDOM.log"
	local opts=(--bind "$bind")
	if [ -n "$rec" ]; then
		mkdir -p "$rec"
		opts+=(--record "$rec")
	fi
	start_bg "$log" "$PYTHON" "$SERVERS_DIR/rawhttp.py" "${opts[@]}" "$case"
	RAW_PID=$BG_PID
	local line
	line=$(wait_for_line "$log" '^Listening on ') || return 1
	RAW_PORT=${line##*:}
}

# raw_serve CASEFILE RESPONSE...: writes a case file of one connection per
# response (each read a request, sent the response, closed).
raw_serve() {
	local case=$1 r first=1
	shift
	: >"$case"
	for r in "$@"; do
		[ "$first" = 1 ] || echo conn >>"$case"
		first=0
		printf 'recv\nsend %s\nclose\n' "$r" >>"$case"
	done
}

# raw_requests RECORDDIR: the requests start_raw recorded, in order, with
# the port and the User-Agent made neutral (PORT, UA), so that two
# clients' requests compare byte for byte.
raw_requests() {
	cat "$1"/conn-* 2>/dev/null | sed -E -e "s/$RAW_PORT/PORT/g" \
		-e 's/^User-Agent: [^\r]*\r$/User-Agent: UA\r/'
}

# stop_raw: stops the raw server now (stop_pid would poll for it).
stop_raw() {
	kill -TERM "$RAW_PID" 2>/dev/null || return 0
	wait "$RAW_PID" 2>/dev/null || true
}

# raw_meta KEY CASEFILE: a case's metadata; for "body", the bytes the
# escapes stand for (as rawhttp.py --meta prints them, without a Python
# start-up per call).
raw_meta() {
	local key=$1 case=$2 line found=1
	if [ "$key" = body ]; then
		while IFS= read -r line; do
			[[ "$line" == "body "* ]] || continue
			line=${line#body }
			line=${line//\\s/ }
			line=${line//\\0/\\x00}
			printf '%b' "$line"
			found=0
		done <"$case"
		return $found
	fi
	while IFS= read -r line; do
		if [[ "$line" == "$key "* ]]; then
			printf '%s' "${line#"$key" }"
			return 0
		fi
	done <"$case"
	return 1
}

# raw_case NAME: runs the case tests/servers/cases/NAME.case: serves its
# bytes, runs `nk http -s -S [args] URL` and checks the exit status, the
# exact body (stdout) and, when the case names one, the error text.
raw_case() {
	local case="$SERVERS_DIR/cases/$1.case"
	[ -f "$case" ] || { echo "no case $case" >&2; return 1; }
	start_raw "$case"
	local want_exit want_err args
	want_exit=$(raw_meta exit "$case")
	raw_meta body "$case" >"$BATS_TEST_TMPDIR/want" || : >"$BATS_TEST_TMPDIR/want"
	want_err=$(raw_meta error "$case") || want_err=
	args=$(raw_meta args "$case") || args=
	local rc=0
	# shellcheck disable=SC2086 # args are words on purpose
	timeout -k 2 20 nk-http -s -S $args "http://127.0.0.1:$RAW_PORT/case" \
		>"$BATS_TEST_TMPDIR/got" 2>"$BATS_TEST_TMPDIR/err" || rc=$?
	stop_raw
	local ok=1
	if [ "$rc" != "$want_exit" ]; then
		echo "exit status: want $want_exit, got $rc" >&2
		ok=0
	fi
	if ! cmp -s "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"; then
		echo "body differs: want / got:" >&2
		od -c "$BATS_TEST_TMPDIR/want" | head -20 >&2
		od -c "$BATS_TEST_TMPDIR/got" | head -20 >&2
		ok=0
	fi
	if [ -n "$want_err" ] && ! grep -qF -- "$want_err" "$BATS_TEST_TMPDIR/err"; then
		echo "stderr lacks '$want_err'" >&2
		ok=0
	fi
	if [ "$rc" != 0 ] && [ "$(wc -l <"$BATS_TEST_TMPDIR/err")" != 1 ]; then
		echo "want exactly one error line" >&2
		ok=0
	fi
	if [ "$ok" = 0 ]; then
		echo "stderr:" >&2
		cat "$BATS_TEST_TMPDIR/err" >&2
		return 1
	fi
}

# start_proxy [proxy.py options...]: sets PROXY_PORT; requests are logged
# in $BATS_TEST_TMPDIR/proxy.log (tests/servers/proxy.py).
start_proxy() {
	start_bg "$BATS_TEST_TMPDIR/proxy.out" "$PYTHON" "$SERVERS_DIR/proxy.py" \
		--record "$BATS_TEST_TMPDIR/proxy.log" --map nk.test=127.0.0.1 "$@"
	local line
	line=$(wait_for_line "$BATS_TEST_TMPDIR/proxy.out" '^Listening on ') || return 1
	PROXY_PORT=${line##*:}
	: >"$BATS_TEST_TMPDIR/proxy.log"
}
