#!/usr/bin/env bash
# valgrind.sh [SUITE...]: the command-line tests (tests/cli/SUITE.bats)
# with every nk binary run under valgrind memcheck, as `make valgrind`
# runs it. Ends with "N passed, M failed" and the memcheck verdict; exit
# status 1 if a test failed or memcheck found an invalid access or a leak.
#
# How: a directory of wrapper scripts, one per binary of $B/bin (nk,
# nk-TOOL, nk-https), each exec'ing
#   valgrind --tool=memcheck --error-exitcode=99 --leak-check=full
#            --errors-for-leak-kinds=definite,indirect --track-fds=no
#            --trace-children=yes --log-file=... BINARY "$@"
# is put first on PATH as NK_BIN, so every test runs the tools under
# memcheck unchanged. A memcheck error makes the tool exit 99, which fails
# the test; the reports go to log files (not the tool's stderr, which the
# tests compare), and every log with an error is printed at the end.
# NK_TEST_MARGIN_MS=5000 gives deadline tests (tests/cli/faults.bats) the
# slack of a program that runs 10 to 50 times slower.
#
# The default suites are those where nk's own code handles input: url,
# resolve, connect, echo, http, http_raw, http_output, http_pipeline,
# http_proxy, http_tls, tls, tls_starttls, telnet, faults, faults_regress.
# Left out: the telnet terminal suites (they measure timing a slowed
# program cannot meet), and completions,
# man, install, symbols and nk, which test the build rather than the
# code (install rebuilds and links against the library).
#
# Environment: B (the build directory; not a SANITIZE=1 build, whose
# sanitizers and valgrind exclude each other), VALGRIND (the command).
set -u
cd "$(dirname "$0")/.." || exit 2
B=${B:-build}
case $B in /*) ;; *) B=$PWD/$B ;; esac
VALGRIND=${VALGRIND:-valgrind}
command -v "$VALGRIND" >/dev/null 2>&1 || {
	echo "valgrind.sh: $VALGRIND not found (apt-get install valgrind)" >&2
	exit 2
}
[ -x "$B/bin/nk" ] || { echo "valgrind.sh: no build in $B (make all)" >&2; exit 2; }
if nm "$B/bin/nk" 2>/dev/null | grep -q '__asan_\|__ubsan_'; then
	echo "valgrind.sh: $B is a sanitizer build; valgrind needs a plain one" >&2
	exit 2
fi

suites=("$@")
if [ ${#suites[@]} -eq 0 ]; then
	suites=(url resolve connect echo http http_raw http_output http_pipeline
	        http_proxy http_tls tls tls_starttls telnet faults
	        faults_regress)
fi

# Tests with a wall-clock bound that a program under memcheck (which
# takes a second or two just to start) cannot meet: left out of this run
# only, as SUITE:NAME.
SLOW=(
	"http_tls:tls: --connect-timeout covers a handshake that never comes"
	# its input is timed: it ends after 0.3 s, by when the 500 offers
	# must have been read
	"telnet:negotiation: a server repeating WILL ECHO gets one answer"
)

# filter_for SUITE: a bats --filter for every test of SUITE but the SLOW
# ones; empty when none of them is in SUITE.
filter_for() {
	local s=$1 t names=() skipped=0 e
	while IFS= read -r t; do
		for e in "${SLOW[@]}"; do
			[ "$e" = "$s:$t" ] && { skipped=1; continue 2; }
		done
		names+=("$(printf '%s' "$t" | sed 's/[][\\.*^$?+(){}|/]/\\&/g')")
	done < <(sed -n 's/^@test "\(.*\)" {$/\1/p' "tests/cli/$s.bats")
	[ "$skipped" -eq 1 ] || return 0
	local IFS='|'
	printf '^(%s)$' "${names[*]}"
}

dir="$B/valgrind"
wrap="$dir/bin"
logs="$dir/logs"
rm -rf "$dir"
mkdir -p "$wrap" "$logs"
for f in "$B"/bin/nk "$B"/bin/nk-*; do
	[ -x "$f" ] || continue
	name=${f##*/}
	# The log name: the tool, a clock reading (no fork) and the PID, so
	# that no two runs share a file even when PIDs come round again.
	cat >"$wrap/$name" <<EOF
#!/usr/bin/env bash
exec "$VALGRIND" --tool=memcheck --error-exitcode=99 --leak-check=full \\
	--errors-for-leak-kinds=definite,indirect \\
	--show-leak-kinds=definite,indirect --track-fds=no \\
	--trace-children=yes --num-callers=30 \\
	--log-file="$logs/$name.\${EPOCHREALTIME/./}.%p.log" \\
	"$f" "\$@"
EOF
	chmod +x "$wrap/$name"
done

export NK_BIN="$wrap" NK_BUILD="$B" NK_TEST_MARGIN_MS=5000
log="$dir/test-log.txt"
: >"$log"
pass=0 fail=0 skip=0
failed=()
for s in "${suites[@]}"; do
	t="tests/cli/$s.bats"
	[ -f "$t" ] || { echo "valgrind.sh: no suite $t" >&2; exit 2; }
	filter=$(filter_for "$s")
	out=$(timeout -k 5 1800 bats --tap ${filter:+--filter "$filter"} "$t" 2>&1 </dev/null)
	rc=$?
	printf '### %s (exit %d)\n%s\n' "$s" "$rc" "$out" >>"$log"
	p=$(grep -c '^ok ' <<<"$out" | tr -d ' ')
	k=$(grep -Ec '^ok .*# (skip|SKIP)' <<<"$out" | tr -d ' ')
	f=$(grep -c '^not ok ' <<<"$out" | tr -d ' ')
	p=$((p - k))
	while IFS= read -r line; do
		failed+=("cli/$s: ${line#not ok }")
	done < <(grep '^not ok ' <<<"$out")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
		failed+=("cli/$s: exited $rc without a failing test")
	fi
	printf '%-28s %4d passed, %d failed%s\n' "cli/$s" "$p" "$f" \
		"$([ "$k" -gt 0 ] && echo ", $k skipped")"
	pass=$((pass + p)); fail=$((fail + f)); skip=$((skip + k))
done

# The memcheck verdict, from every run's log.
runs=$(find "$logs" -name '*.log' | wc -l)
bad=()
while IFS= read -r f; do
	bad+=("$f")
done < <(grep -lE 'ERROR SUMMARY: [1-9]|(definitely|indirectly) lost: [1-9]' "$logs"/*.log 2>/dev/null)
for f in "${bad[@]}"; do
	echo "=== $f"
	cat "$f"
done
if [ ${#failed[@]} -gt 0 ]; then
	echo "failures (details in $log):"
	printf '  %s\n' "${failed[@]}"
fi
for e in "${SLOW[@]}"; do
	case " ${suites[*]} " in
	*" ${e%%:*} "*) echo "left out (a wall-clock bound): cli/${e%%:*}: ${e#*:}" ;;
	esac
done
echo "memcheck: $runs runs, ${#bad[@]} with errors or leaks (logs in $logs)"
echo "$pass passed, $fail failed$([ "$skip" -gt 0 ] && echo ", $skip skipped")"
[ "$fail" -eq 0 ] && [ ${#bad[@]} -eq 0 ]
