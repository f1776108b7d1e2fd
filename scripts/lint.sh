#!/usr/bin/env bash
# lint.sh [--tap] [FILE...]: static analysis of libnk and the tools, as `make lint`
# runs it: cppcheck, then clang-tidy with the checks in .clang-tidy, over
# lib/*/*.c and cmd/*/*.c (or the FILEs given), then, for the whole tree,
# scripts/layers.py: the layering and size rules of docs/DESIGN.md, over
# the objects of the build in $B. Exit status 0 when all are clean, 1 when
# one found something (every finding is printed as FILE:LINE: ...), 2 when
# a tool is missing.
#
# Environment: B (build directory, for the logs and cppcheck's cache;
# default build), JOBS (parallel runs; default the number of CPUs),
# CPPCHECK and CLANG_TIDY (the commands).
#
# cppcheck: --enable=warning,style,performance,portability, with one
# check off: variableScope ("the scope of x can be reduced"), a taste the
# code does not share (some functions declare their variables first).
# False positives are suppressed where they occur, with a reason, by a
# "cppcheck-suppress ID" comment on the line before; clang-tidy's by
# NOLINT(check).
set -u
cd "$(dirname "$0")/.." || exit 2
B=${B:-build}
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}
CPPCHECK=${CPPCHECK:-cppcheck}
if [ -z "${CLANG_TIDY:-}" ]; then
	CLANG_TIDY=clang-tidy
	command -v clang-tidy >/dev/null 2>&1 || CLANG_TIDY=clang-tidy-14
fi
out="$B/lint"

# The flags of the real build (BASE_CFLAGS and TOOL_CFLAGS in the
# Makefile), so the tools see the code the compiler sees.
FLAGS=(-std=gnu11 -D_GNU_SOURCE '-DNK_LIBEXECDIR="/usr/local/libexec/nk"'
       -Iinclude -Ilib -Icmd/common)

# --tap [FILE...]: the same, as one TAP test, the findings as comments
# (make check counts it).
if [ "${1:-}" = --tap ]; then
	shift
	echo 1..1
	out=$("$0" "$@" 2>&1); rc=$?
	if [ "$rc" -eq 0 ]; then
		echo "ok 1 - cppcheck and clang-tidy find nothing"
	else
		echo "not ok 1 - cppcheck or clang-tidy found something (exit $rc)"
	fi
	sed 's/^/# /' <<<"$out"
	exit "$rc"
fi

# --one FILE: one clang-tidy run, its output in its own log (printed whole
# afterwards, so parallel runs never interleave their lines).
if [ "${1:-}" = --one ]; then
	log="$out/tidy/$(echo "$2" | tr / _).log"
	"$CLANG_TIDY" --quiet "$2" -- "${FLAGS[@]}" >"$log" 2>&1 ||
		echo "$2" >"$log.failed"
	exit 0
fi

for t in "$CPPCHECK" "$CLANG_TIDY"; do
	command -v "$t" >/dev/null 2>&1 || {
		echo "lint: $t not found (apt-get install cppcheck clang-tidy)" >&2
		exit 2
	}
done

if [ $# -gt 0 ]; then
	files=("$@")
else
	files=(lib/*/*.c cmd/*/*.c)
fi
[ ${#files[@]} -gt 0 ] || { echo "lint: no files" >&2; exit 2; }
mkdir -p "$out/cppcheck" "$out/tidy"
rm -f "$out"/tidy/*
printf '%s\n' "${files[@]}" >"$out/files"
rc=0

echo "lint: cppcheck, ${#files[@]} files"
"$CPPCHECK" --quiet --std=c11 --platform=unix64 "${FLAGS[@]:1}" \
	--enable=warning,style,performance,portability \
	--suppress=variableScope --inline-suppr \
	--cppcheck-build-dir="$out/cppcheck" -j "$JOBS" \
	--template='{file}:{line}: cppcheck {severity}: {message} [{id}]' \
	--error-exitcode=1 --file-list="$out/files" || rc=1

echo "lint: clang-tidy, ${#files[@]} files, $JOBS at a time"
printf '%s\n' "${files[@]}" | xargs -P "$JOBS" -I{} "$0" --one {}
for f in "$out"/tidy/*.log; do
	# Counts of the warnings it was told not to show are not findings.
	grep -Ev '^[0-9]+ (warnings?|errors?)( and [0-9]+ errors?)? generated\.$|^Suppressed [0-9]+ warnings|^Use -header-filter|^$' "$f" && rc=1
done
ls "$out"/tidy/*.failed >/dev/null 2>&1 && rc=1

# The architecture rules (docs/DESIGN.md) over the whole tree: layers,
# circles between files, file and function sizes. They read the objects
# of the build in $B.
if [ $# -eq 0 ]; then
	echo "lint: layers"
	python3 scripts/layers.py --build "$B" || rc=1
fi

if [ "$rc" -eq 0 ]; then
	echo "lint: clean"
else
	echo "lint: findings above" >&2
fi
exit "$rc"
