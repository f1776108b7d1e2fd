#!/usr/bin/env bats
# Manual pages: every page renders without a warning, every tool has a page
# that documents exactly the options its table has, and every header of the
# library has a page that documents each of its functions.

load ../lib/common
bats_require_minimum_version 1.5.0

SRC=$(cd "$TESTS_DIR/.." && pwd)
MAN=$NK_BUILD/man

# render PAGE: the page as text, wide enough that no option line wraps,
# without bold or underline.
render() {
	groff -t -man -Tutf8 -P -cbou -rLL=250n "$1" 2>/dev/null
}

# section NAME < text: the lines of one section (without its heading).
section() {
	awk -v s="$1" '
		/^[A-Z][A-Z ]*$/ { on = ($0 == s); next }
		on { print }
	'
}

# The tools of the build, one per page: nk-https is nk-http's other name.
tools() {
	local f
	for f in "$NK_BIN"/nk-*; do
		[ -x "$f" ] && [ ! -L "$f" ] && echo "${f##*/nk-}"
	done
}

# The option items a page's OPTIONS section should have, from the tool's
# table: "-X, --long ARG", "--long ARG" or "-X ARG".
wanted_items() {
	"nk-$1" --nk-options | awk -F '\t' '$1 == "opt" {
		s = ($2 != "-" ? $2 : "")
		l = ($3 != "" ? "--" $3 : "")
		item = s (s != "" && l != "" ? ", " : "") l
		if ($5 != "") item = item " " $5
		print item
	}' | LC_ALL=C sort
}

@test "every page source becomes a page, and renders without a warning" {
	local f page n=0
	for f in "$SRC"/docs/*.[1-9].scd; do
		page=$(basename "$f" .scd)
		[ -s "$MAN/man${page##*.}/$page" ] ||
			{ echo "$page was not built from $f" >&2; return 1; }
	done
	# From the top of the tree, where the ".so man1/nk-http.1" of
	# nk-https(1) leads.
	cd "$MAN"
	for f in man*/*; do
		# a page that only points at another: the other must be there
		if grep -q '^\.so ' "$f"; then
			[ "$(wc -l <"$f")" -eq 1 ]
			[ -f "$(sed -n 's/^\.so //p' "$f")" ] || { echo "$f: $(cat "$f")" >&2; return 1; }
			continue
		fi
		run groff -t -ww -man -z "$f"
		[ "$status" -eq 0 ]
		[ -z "$output" ] || { echo "$f: $output" >&2; return 1; }
		# man's own check: its messages only (the page goes nowhere)
		run bash -c 'LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$1" 2>&1 >/dev/null' _ "$f"
		[ "$status" -eq 0 ]
		[ -z "$output" ] || { echo "$f: $output" >&2; return 1; }
		n=$((n + 1))
	done
	[ "$n" -ge 2 ]
}

@test "every tool has a page with the usual sections" {
	local t s n=0
	for t in $(tools); do
		[ -f "$MAN/man1/nk-$t.1" ] || { echo "no page nk-$t(1)" >&2; return 1; }
		render "$MAN/man1/nk-$t.1" >"$BATS_TEST_TMPDIR/page"
		for s in NAME SYNOPSIS DESCRIPTION OPTIONS "EXIT STATUS" ENVIRONMENT \
			FILES EXAMPLES "SEE ALSO"; do
			grep -qx "$s" "$BATS_TEST_TMPDIR/page" ||
				{ echo "nk-$t(1) has no $s section" >&2; return 1; }
		done
		n=$((n + 1))
	done
	[ "$n" -ge 1 ]
}

@test "each tool's page documents exactly the options of its table" {
	local t
	for t in $(tools); do
		wanted_items "$t" >"$BATS_TEST_TMPDIR/want"
		[ -s "$BATS_TEST_TMPDIR/want" ]
		render "$MAN/man1/nk-$t.1" | section OPTIONS |
			sed -n 's/^       \(-.*\)$/\1/p' | LC_ALL=C sort >"$BATS_TEST_TMPDIR/got"
		# "-" lines are options the page lacks (or shows with another
		# argument name); "+" lines are items for options the tool does
		# not have.
		diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got" ||
			{ echo "nk-$t(1) and nk-$t --nk-options differ" >&2; return 1; }
	done
}

@test "each tool's page is named with the tool's own summary" {
	local t sum
	for t in $(tools); do
		sum=$("nk-$t" --nk-options | awk -F '\t' '$1 == "tool" { print $3 }')
		render "$MAN/man1/nk-$t.1" | section NAME >"$BATS_TEST_TMPDIR/name"
		[ "$(tr -s ' \n' '  ' <"$BATS_TEST_TMPDIR/name" | sed 's/^ *//; s/ *$//')" = "nk-$t - $sum" ] ||
			{ echo "nk-$t(1) NAME: $(cat "$BATS_TEST_TMPDIR/name"); summary: $sum" >&2; return 1; }
	done
}

@test "nk(1) lists every tool, and nk-https(1) leads to nk-http(1)" {
	local t
	render "$MAN/man1/nk.1" >"$BATS_TEST_TMPDIR/nk"
	for t in $(tools); do
		section TOOLS <"$BATS_TEST_TMPDIR/nk" | grep -Eq "^       $t(,|\$)" ||
			{ echo "nk(1) TOOLS lacks $t" >&2; return 1; }
		section "SEE ALSO" <"$BATS_TEST_TMPDIR/nk" | tr -d '\n' | grep -q "nk-$t(1)" ||
			{ echo "nk(1) SEE ALSO lacks nk-$t(1)" >&2; return 1; }
	done
	if [ -x "$NK_BIN/nk-http" ]; then
		[ "$(cat "$MAN/man1/nk-https.1")" = ".so man1/nk-http.1" ]
	fi
}

@test "nk help TOOL shows the tool's own --help" {
	local t
	for t in $(tools) $([ -x "$NK_BIN/nk-https" ] && echo https); do
		run nk help "$t"
		[ "$status" -eq 0 ]
		[ "$output" = "$("nk-$t" --help)" ]
	done
}

# The page a header's functions are documented in.
page_of() {
	case $1 in
	defs) echo libnk ;;
	*) echo "nk_$1" ;;
	esac
}

@test "every function of the library is documented in its header's page" {
	local h name page n=0
	while read -r h name; do
		h=${h##*/}
		page=$(page_of "${h%.h}")
		[ -f "$MAN/man3/$page.3" ] || { echo "no page $page(3) for $h" >&2; return 1; }
		[ -f "$BATS_TEST_TMPDIR/$page" ] || render "$MAN/man3/$page.3" >"$BATS_TEST_TMPDIR/$page"
		grep -Eq "(^|[^a-z_])$name([^a-z_0-9]|\$)" "$BATS_TEST_TMPDIR/$page" ||
			{ echo "$page(3) does not document $name" >&2; return 1; }
		# man NAME finds the page
		[ "$(cat "$MAN/man3/$name.3")" = ".so man3/$page.3" ] ||
			[ "$name" = "$page" ]
		n=$((n + 1))
	done < <("$SRC/scripts/api-names.sh" "$SRC"/include/nk/*.h)
	[ "$n" -ge 10 ]
}

@test "libnk(3) leads to every module's page" {
	local p
	render "$MAN/man3/libnk.3" >"$BATS_TEST_TMPDIR/libnk"
	for p in "$MAN"/man3/nk_*.3; do
		grep -q '^\.so ' "$p" && continue
		p=$(basename "$p" .3)
		section "SEE ALSO" <"$BATS_TEST_TMPDIR/libnk" | tr -d '\n' | grep -q "$p(3)" ||
			{ echo "libnk(3) SEE ALSO lacks $p(3)" >&2; return 1; }
	done
}

@test "make without scdoc builds the rest and says in one line that the pages were skipped" {
	# A copy of the build without its pages: everything else is up to date,
	# so only the pages are left to make.
	local b=$BATS_TEST_TMPDIR/build
	cp -a "$NK_BUILD" "$b"
	rm -rf "$b/man"
	run --separate-stderr timeout 120 make -s -C "$SRC" B="$b" SCDOC=/nonexistent all
	[ "$status" -eq 0 ]
	[ "$output" = "note: /nonexistent not found: manual pages not built (install scdoc, or make SCDOC=/path/to/scdoc)" ]
	[ "$stderr" = "" ]
	[ ! -e "$b/man" ]
	# Asked for by name, the pages still need scdoc.
	run timeout 120 make -s -C "$SRC" B="$b" SCDOC=/nonexistent man
	[ "$status" -ne 0 ]
}
