# Helpers for the nk tls tests: the test PKI of tests/certs/mkcerts.sh,
# openssl s_server -www on 127.0.0.1, and nk tls run against it. Load
# after ../lib/common.

# tls_certs: mkcerts.sh's PKI in the file's temporary folder, exported as
# C (for setup_file).
tls_certs() {
	export C="$BATS_FILE_TMPDIR/certs"
	"$TESTS_DIR/certs/mkcerts.sh" "$C" >/dev/null 2>&1
}

# s_server_www CERT KEY [s_server options...]: openssl s_server -www with
# the files CERT and KEY on a free port of 127.0.0.1; sets PORT once it
# accepts (its log is $BATS_TEST_TMPDIR/s_server.$PORT.log).
s_server_www() {
	local cert=$1 key=$2; shift 2
	PORT=$(free_port)
	local log="$BATS_TEST_TMPDIR/s_server.$PORT.log"
	start_bg "$log" openssl s_server -accept "127.0.0.1:$PORT" -www \
		-cert "$cert" -key "$key" "$@"
	wait_for_line "$log" '^ACCEPT' >/dev/null
}

# tls_run SECONDS CAFILE NAME [options...]: nk tls of NAME on the server
# at PORT (NAME resolved to 127.0.0.1), trusting CAFILE, bounded by
# SECONDS; bats' run with stderr apart.
tls_run() {
	local secs=$1 ca=$2 name=$3; shift 3
	run --separate-stderr timeout "$secs" nk-tls --cacert "$ca" \
		--resolve "$name:$PORT:127.0.0.1" "$@" "$name:$PORT"
}
