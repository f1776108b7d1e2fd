#!/usr/bin/env bash
# Runs every unit test (cmocka, TAP output) and every command-line test (bats)
# and ends with one line: "N passed, M failed". Exit status 1 if any failed.
# B selects the build directory; SAN_B, if set, names a second build (made
# with SANITIZE=1) whose tests and tools run every suite again, as "san/...".
# FUZZ_B, if set, names a built fuzz tree whose targets run FUZZ_SECONDS each
# as one more suite. LINT=1 adds scripts/lint.sh (cppcheck, clang-tidy) as
# a suite of one test, BENCH=1 the benchmark harness in its quick mode (a
# test that every client ran every workload correctly: figures are not
# judged, timing thresholds would flake). Extra arguments filter suites by
# name.
set -u
cd "$(dirname "$0")/.."
B=${B:-build}
case $B in /*) ;; *) B=$PWD/$B ;; esac
SAN_B=${SAN_B:-}
case $SAN_B in /*|"") ;; *) SAN_B=$PWD/$SAN_B ;; esac
log="$B/test-log.txt"
: >"$log"
pass=0 fail=0 skip=0
failed_names=()

# run_suite NAME CMD...: runs a TAP-speaking suite, bounded in time, and
# counts its results. A suite that dies without a "not ok" counts as one
# failure, so a crash can never pass silently.
run_suite() {
	local name=$1; shift
	local out rc p=0 f=0 s=0 line
	out=$(timeout -k 5 900 "$@" 2>&1 </dev/null); rc=$?
	printf '### %s (exit %d)\n%s\n' "$name" "$rc" "$out" >>"$log"
	while IFS= read -r line; do
		case "$line" in
		"ok "*"# skip"*|"ok "*"# SKIP"*) s=$((s + 1)) ;;
		"ok "*) p=$((p + 1)) ;;
		"not ok "*) f=$((f + 1)); failed_names+=("$name: ${line#not ok }") ;;
		esac
	done <<<"$out"
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1; failed_names+=("$name: exited $rc without a failing test")
	fi
	# Lines a suite prints for people (the urltestdata figure) pass through.
	grep -E '^# (figure|known)' <<<"$out" || true
	[ "$name" = fuzz ] && grep -E '^(not )?ok ' <<<"$out" | sed 's/^/# /' || true
	printf '%-28s %4d passed, %d failed%s\n' "$name" "$p" "$f" \
		"$([ "$s" -gt 0 ] && echo ", $s skipped")"
	pass=$((pass + p)); fail=$((fail + f)); skip=$((skip + s))
}

selected() {
	[ ${#FILTER[@]} -eq 0 ] && return 0
	local n
	for n in "${FILTER[@]}"; do [[ $1 == *"$n"* ]] && return 0; done
	return 1
}
FILTER=("$@")

# run_build DIR PREFIX: every unit and command-line suite against one build.
run_build() {
	local dir=$1 prefix=$2 t name
	export NK_BIN="$dir/bin" NK_BUILD="$dir"
	for t in "$dir"/tests/test_*; do
		[ -x "$t" ] || continue
		name=${prefix}unit/$(basename "$t")
		selected "$name" || continue
		run_suite "$name" env CMOCKA_MESSAGE_OUTPUT=TAP "$t"
	done
	for t in tests/cli/*.bats; do
		[ -f "$t" ] || continue
		name=${prefix}cli/$(basename "$t" .bats)
		selected "$name" || continue
		run_suite "$name" bats --tap "$t"
	done
}

run_build "$B" ""
[ -n "$SAN_B" ] && run_build "$SAN_B" "san/"
# FUZZ_B: a built tests/fuzz tree; each target runs FUZZ_SECONDS.
if [ -n "${FUZZ_B:-}" ] && selected fuzz; then
	run_suite fuzz env FUZZ_B="$FUZZ_B" tests/fuzz/run.sh -t "${FUZZ_SECONDS:-20}"
fi

if [ "${BENCH:-0}" = 1 ] && selected bench; then
	# shellcheck disable=SC2016
	run_suite bench bash -c 'echo 1..1
		out=$(python3 bench/run --build "$0" --quick 2>&1); rc=$?
		if [ "$rc" -eq 0 ]; then echo "ok 1 - make bench-quick: every run of every client right"
		else echo "not ok 1 - make bench-quick exited $rc"; fi
		printf "%s\n" "$out" | sed "s/^/# /"
		exit "$rc"' "$B"
fi
if [ "${LINT:-0}" = 1 ] && selected lint; then
	run_suite lint env B="$B" scripts/lint.sh --tap
fi

if [ ${#failed_names[@]} -gt 0 ]; then
	echo "failures (details in $log):"
	printf '  %s\n' "${failed_names[@]}"
fi
echo "$pass passed, $fail failed$([ "$skip" -gt 0 ] && echo ", $skip skipped")"
[ "$fail" -eq 0 ]
