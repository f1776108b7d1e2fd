#!/usr/bin/env bash
# Runs libFuzzer targets one after the other and prints one TAP line each:
#   ok 1 - fuzz_http_response 30s 123456 execs 890 edges
# followed by a "# " line with the features and the peak memory. A target
# that crashes, leaks, hangs (10 s per input) or runs out of memory (2 GB)
# is "not ok", with the end of its report; the input that did it is saved
# under $FUZZ_B/artifacts/<target>/. Exit status 1 if any target failed.
#
# usage: FUZZ_B=build/fuzz tests/fuzz/run.sh [-t SECONDS] [TARGET...]
#   -t 0 only replays the seed corpus and the saved crashes (no fuzzing).
# With no TARGET, every built target in $FUZZ_B/bin runs.
#
# Each target reads, in order: $FUZZ_B/work/<target>/ (where new inputs
# go, kept between runs), tests/fuzz/corpus/<target>/ (the committed
# seeds) and tests/fuzz/crashes/<target>/ (inputs that once crashed: they
# must keep passing). A dictionary tests/fuzz/<target>.dict is used when
# there is one, and the flags in tests/fuzz/<target>.options (one per line).
set -u
cd "$(dirname "$0")/../.."
FUZZ_B=${FUZZ_B:-build/fuzz}
secs=60
while getopts t: o; do
	case $o in
	t) secs=$OPTARG ;;
	*) echo "usage: $0 [-t SECONDS] [TARGET...]" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
case $secs in ''|*[!0-9]*) echo "$0: -t needs a whole number" >&2; exit 2 ;; esac

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
	for b in "$FUZZ_B"/bin/fuzz_*; do
		[ -x "$b" ] && targets+=("$(basename "$b")")
	done
fi
[ ${#targets[@]} -gt 0 ] || { echo "$0: no fuzz targets in $FUZZ_B/bin" >&2; exit 2; }

mkdir -p "$FUZZ_B/logs"
echo "1..${#targets[@]}"
n=0 failed=0
for t in "${targets[@]}"; do
	n=$((n + 1))
	bin=$FUZZ_B/bin/$t
	log=$FUZZ_B/logs/$t.log
	if [ ! -x "$bin" ]; then
		echo "not ok $n - $t: not built ($bin)"
		failed=$((failed + 1))
		continue
	fi
	work=$FUZZ_B/work/$t art=$FUZZ_B/artifacts/$t
	mkdir -p "$work" "$art"
	dirs=("$work")
	for d in tests/fuzz/corpus/$t tests/fuzz/crashes/$t; do
		[ -d "$d" ] && dirs+=("$d")
	done
	args=(-timeout=10 -rss_limit_mb=2048 -print_final_stats=1
	      -artifact_prefix="$art/")
	[ -f "tests/fuzz/$t.dict" ] && args+=(-dict="tests/fuzz/$t.dict")
	# more libFuzzer flags for one target, one per line (-max_len=...)
	if [ -f "tests/fuzz/$t.options" ]; then
		while read -r opt; do
			case $opt in -*) args+=("$opt") ;; esac
		done <"tests/fuzz/$t.options"
	fi
	if [ "$secs" -eq 0 ]; then
		args+=(-runs=0)
	else
		args+=(-max_total_time="$secs")
	fi
	# libFuzzer stops itself after -max_total_time; the outer timeout only
	# catches a run that cannot (a hang in start-up, a huge corpus).
	timeout -k 10 $((secs + 600)) "$bin" "${args[@]}" "${dirs[@]}" \
		>"$log" 2>&1 </dev/null
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log" | tail -n 1)
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)
	ft=$(grep -o 'ft: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)
	corp=$(grep -o 'corp: [0-9]*/[0-9]*[a-zA-Z]*' "$log" | tail -n 1 | cut -d' ' -f2)
	if [ "$rc" -eq 0 ]; then
		echo "ok $n - $t ${secs}s ${execs:-0} execs ${cov:-0} edges"
		echo "# $t: ${ft:-0} features, corpus ${corp:-?}, peak ${rss:-?} MB"
	else
		failed=$((failed + 1))
		crash=$(ls -t "$art" 2>/dev/null | head -n 1)
		echo "not ok $n - $t ${secs}s ${execs:-0} execs ${cov:-0} edges: exit $rc${crash:+, input $art/$crash}"
		# the report: the sanitizer's or the target's own check, in short
		grep -E '^(==[0-9]+==ERROR|SUMMARY|.*fuzz check failed|.*runtime error|    #[0-9] )' "$log" |
			head -n 20 | sed 's/^/# /'
		echo "# full log: $log"
	fi
done
exit $((failed > 0))
