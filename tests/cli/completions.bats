#!/usr/bin/env bats
# Shell completions (bash, zsh, fish) against each tool's own option table:
# every option a tool accepts must be offered, in every shell, after `nk TOOL`
# and after `nk-TOOL`, and nothing else; option values and host names too.

load ../lib/common

COMPDIR=$NK_BUILD/completions

setup_file() {
	local f
	for f in nk.bash _nk nk.fish; do
		[ -s "$NK_BUILD/completions/$f" ] || {
			echo "$NK_BUILD/completions/$f is missing: run make all" >&2
			return 1
		}
	done
}

# The commands to check: every nk-TOOL of the build (nk-https included).
tools() {
	local f
	for f in "$NK_BIN"/nk-*; do
		[ -x "$f" ] && echo "${f##*/nk-}"
	done
}

# opt_words TOOL: the option words of nk-TOOL's table, sorted.
opt_words() {
	"nk-$1" --nk-options | awk -F '\t' '$1 == "opt" {
		if ($2 != "-") print $2
		if ($3 != "") print "--" $3
	}' | LC_ALL=C sort
}

# opts_of_kind KIND: "TOOL OPTION" for every option of that kind.
opts_of_kind() {
	local t
	for t in $(tools); do
		"nk-$t" --nk-options | awk -F '\t' -v t="$t" -v k="$1" \
			'$1 == "opt" && $4 == k { print t, ($3 != "" ? "--" $3 : $2), $6 }'
	done
}

# bash_complete LINE: what bash offers at the end of LINE, one per line,
# with COMP_* set as bash sets them for a completion function.
bash_complete() {
	bash --norc --noprofile -c '
		source "$1" || exit 1
		COMP_LINE=$2 COMP_POINT=${#2}
		read -ra COMP_WORDS <<<"$2"
		[[ $2 == *" " ]] && COMP_WORDS+=("")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMPREPLY=()
		_nk "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
		printf "%s\n" "${COMPREPLY[@]}"
	' bash "$COMPDIR/nk.bash" "$1" | sed '/^$/d' | LC_ALL=C sort
}

# fish_complete LINE: fish's candidates (first field) for LINE.
fish_complete() {
	fish --no-config -c 'source $argv[1]; and complete -C $argv[2]' \
		"$COMPDIR/nk.fish" "$1" | cut -f1 | LC_ALL=C sort
}

# zsh_run OUT LINE...: completes each LINE in an interactive zsh on a
# pseudo-terminal (zsh/zpty), with the generated _nk on fpath, and writes
# what compadd was given to OUT: "= LINE", then "M match" and "D display".
zsh_run() {
	cat >"$BATS_TEST_TMPDIR/zc.zsh" <<'ZSH'
zmodload zsh/zpty || exit 1
dir=$1 out=$2
shift 2
: >$out
zpty z zsh -f -i || exit 1
zpty -w z "PS1='' RPS1=''; unsetopt auto_list auto_menu list_beep beep"
zpty -w z "fpath=(${(q)dir} \$fpath); autoload -Uz compinit; compinit -u -D"
zpty -w z "__out=${(q)out}"
# Every match reaches compadd; record those that fit what was typed.
zpty -w z 'compadd() {
	local -a __hits __disp
	local __i
	for ((__i = 1; __i < $#; __i++)); do
		[[ ${@[__i]} == -d ]] && __disp=(${(P)${@[__i+1]}})
	done
	if (( ${@[(I)-[OAD]]} )); then builtin compadd "$@"; return; fi
	builtin compadd -O __hits "$@"
	print -rl -- ${__hits/#/"M "} ${__disp/#/"D "} >>$__out
	builtin compadd "$@"
}'
zpty -w z '__done() { zle complete-word; print -r -- "<DO""NE>"; }; zle -N __done; bindkey "^I" __done'
zpty -w z 'print "<REA""DY>"'
zpty -r z junk '*<READY>*' || exit 1
for line; do
	print -r -- "= $line" >>$out
	zpty -w -n z "$line"$'\t'
	zpty -r z junk '*<DONE>*' || exit 1
	zpty -w -n z $'\C-u'
done
zpty -d z
ZSH
	local out=$1
	shift
	timeout 60 zsh -f "$BATS_TEST_TMPDIR/zc.zsh" "$COMPDIR" "$out" "$@"
}

# zsh_matches OUT LINE: the matches recorded for LINE, sorted, unquoted.
zsh_matches() {
	awk -v l="= $2" '
		/^= / { on = ($0 == l); next }
		on && /^M ./ { print substr($0, 3) }
	' "$1" | sed 's/\\\(.\)/\1/g' | LC_ALL=C sort -u
}

@test "the generated completions parse in bash, zsh and fish" {
	bash -n "$COMPDIR/nk.bash"
	zsh -n "$COMPDIR/_nk"
	fish --no-execute "$COMPDIR/nk.fish"
}

@test "the completions are up to date with the tools' option tables" {
	local exes=() t
	for t in $(tools); do exes+=("$NK_BIN/nk-$t"); done
	run "$TESTS_DIR/../scripts/gen-completions.sh" "$BATS_TEST_TMPDIR/gen" \
		"$TESTS_DIR/../completions" "${exes[@]}"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	for f in nk.bash _nk nk.fish; do
		diff -u "$COMPDIR/$f" "$BATS_TEST_TMPDIR/gen/$f"
	done
}

@test "bash offers exactly each tool's options, after nk TOOL and as nk-TOOL" {
	local t n=0
	for t in $(tools); do
		opt_words "$t" >"$BATS_TEST_TMPDIR/want"
		[ -s "$BATS_TEST_TMPDIR/want" ]
		bash_complete "nk $t -" >"$BATS_TEST_TMPDIR/got"
		diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
		bash_complete "nk-$t -" >"$BATS_TEST_TMPDIR/got"
		diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
		n=$((n + 1))
	done
	[ "$n" -ge 1 ]
}

@test "fish offers exactly each tool's options, after nk TOOL and as nk-TOOL" {
	local t n=0
	for t in $(tools); do
		opt_words "$t" >"$BATS_TEST_TMPDIR/want"
		fish_complete "nk $t -" >"$BATS_TEST_TMPDIR/got"
		diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
		fish_complete "nk-$t -" >"$BATS_TEST_TMPDIR/got"
		diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
		n=$((n + 1))
	done
	[ "$n" -ge 1 ]
}

@test "zsh offers exactly each tool's options, after nk TOOL and as nk-TOOL" {
	local t lines=()
	for t in $(tools); do lines+=("nk $t -" "nk-$t -"); done
	zsh_run "$BATS_TEST_TMPDIR/z" "${lines[@]}"
	for t in $(tools); do
		opt_words "$t" >"$BATS_TEST_TMPDIR/want"
		zsh_matches "$BATS_TEST_TMPDIR/z" "nk $t -" >"$BATS_TEST_TMPDIR/got"
		diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
		zsh_matches "$BATS_TEST_TMPDIR/z" "nk-$t -" >"$BATS_TEST_TMPDIR/got"
		diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
	done
}

@test "the tool names complete after nk, with their summaries" {
	tools | sed 's/^/help\n/' | LC_ALL=C sort -u >"$BATS_TEST_TMPDIR/want"
	bash_complete "nk " >"$BATS_TEST_TMPDIR/got"
	diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
	fish_complete "nk " >"$BATS_TEST_TMPDIR/got"
	diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
	zsh_run "$BATS_TEST_TMPDIR/z" "nk " "nk help "
	zsh_matches "$BATS_TEST_TMPDIR/z" "nk " >"$BATS_TEST_TMPDIR/got"
	diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
	# nk help TOOL: the tools again, without "help"
	tools | LC_ALL=C sort >"$BATS_TEST_TMPDIR/want"
	bash_complete "nk help " >"$BATS_TEST_TMPDIR/got"
	diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
	fish_complete "nk help " >"$BATS_TEST_TMPDIR/got"
	diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
	zsh_matches "$BATS_TEST_TMPDIR/z" "nk help " >"$BATS_TEST_TMPDIR/got"
	diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"

	# The summaries are each tool's own: fish and zsh show them.
	local t sum
	for t in $(tools); do
		sum=$("nk-$t" --nk-options | awk -F '\t' '$1 == "tool" { print $3 }')
		[ -n "$sum" ]
		fish --no-config -c 'source $argv[1]; and complete -C "nk "' \
			"$COMPDIR/nk.fish" | grep -Fxq "$t	$sum"
		# zsh lists "NAME -- SUMMARY", or the summary on its own line
		# when several tools share it
		awk -v s="-- $sum" '/^D / { sub(/ +$/, ""); if (substr($0, length($0) - length(s) + 1) == s) f = 1 }
			END { exit !f }' "$BATS_TEST_TMPDIR/z"
	done
}

@test "fixed choices complete as the values of their option" {
	local t opt choices zl=() n=0
	opts_of_kind choice >"$BATS_TEST_TMPDIR/choices"
	while read -r t opt choices; do
		zl+=("nk $t $opt " "nk-$t $opt=")
	done <"$BATS_TEST_TMPDIR/choices"
	zsh_run "$BATS_TEST_TMPDIR/z" "${zl[@]}"
	while read -r t opt choices; do
		tr '|' '\n' <<<"$choices" | LC_ALL=C sort >"$BATS_TEST_TMPDIR/want"
		bash_complete "nk $t $opt " >"$BATS_TEST_TMPDIR/got"
		diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
		bash_complete "nk-$t $opt=" >"$BATS_TEST_TMPDIR/got"
		diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
		fish_complete "nk $t $opt " >"$BATS_TEST_TMPDIR/got"
		diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
		zsh_matches "$BATS_TEST_TMPDIR/z" "nk $t $opt " >"$BATS_TEST_TMPDIR/got"
		diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
		zsh_matches "$BATS_TEST_TMPDIR/z" "nk-$t $opt=" >"$BATS_TEST_TMPDIR/got"
		diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
		n=$((n + 1))
	done <"$BATS_TEST_TMPDIR/choices"
	[ "$n" -ge 1 ]
}

@test "file options complete file names, directory options directories" {
	local t opt rest zl=() nf=0 nd=0
	mkdir -p "$BATS_TEST_TMPDIR/w/subdir"
	: >"$BATS_TEST_TMPDIR/w/somefile"
	cd "$BATS_TEST_TMPDIR/w"
	opts_of_kind file | head -3 >"$BATS_TEST_TMPDIR/files"
	opts_of_kind dir | head -3 >"$BATS_TEST_TMPDIR/dirs"
	while read -r t opt rest; do
		zl+=("nk $t $opt s")
	done < <(cat "$BATS_TEST_TMPDIR/files" "$BATS_TEST_TMPDIR/dirs")
	zsh_run "$BATS_TEST_TMPDIR/z" "${zl[@]}"
	while read -r t opt rest; do
		printf '%s\n' somefile subdir >"$BATS_TEST_TMPDIR/want"
		bash_complete "nk $t $opt s" >"$BATS_TEST_TMPDIR/got"
		diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
		zsh_matches "$BATS_TEST_TMPDIR/z" "nk $t $opt s" | sed 's|/$||' \
			>"$BATS_TEST_TMPDIR/got"
		diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
		printf '%s\n' somefile subdir/ >"$BATS_TEST_TMPDIR/want"
		fish_complete "nk-$t $opt s" >"$BATS_TEST_TMPDIR/got"
		diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
		nf=$((nf + 1))
	done <"$BATS_TEST_TMPDIR/files"
	while read -r t opt rest; do
		echo subdir >"$BATS_TEST_TMPDIR/want"
		bash_complete "nk $t $opt s" >"$BATS_TEST_TMPDIR/got"
		diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
		zsh_matches "$BATS_TEST_TMPDIR/z" "nk $t $opt s" | sed 's|/$||' \
			>"$BATS_TEST_TMPDIR/got"
		diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
		echo subdir/ >"$BATS_TEST_TMPDIR/want"
		fish_complete "nk-$t $opt s" >"$BATS_TEST_TMPDIR/got"
		diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
		nd=$((nd + 1))
	done <"$BATS_TEST_TMPDIR/dirs"
	[ "$nf" -ge 1 ]
	[ "$nd" -ge 1 ]
}

# The tools whose usage line has a positional PLACEHOLDER and that take
# --resolve.
tools_with() {
	local t
	for t in $(tools); do
		"nk-$t" --nk-options | grep -q "^usage	.*$1" || continue
		"nk-$t" --nk-options | grep -q '^opt	-	resolve	' && echo "$t"
	done
}

@test "host names given to --resolve complete where a HOST goes" {
	local t zl=() n=0
	for t in $(tools_with HOST); do
		zl+=("nk $t --resolve zzhost.test:443:127.0.0.1 zz")
	done
	zsh_run "$BATS_TEST_TMPDIR/z" "${zl[@]}"
	for t in $(tools_with HOST); do
		bash_complete "nk $t --resolve zzhost.test:443:127.0.0.1 zz" >"$BATS_TEST_TMPDIR/got"
		echo zzhost.test | diff -u - "$BATS_TEST_TMPDIR/got"
		fish_complete "nk-$t --resolve=zzhost.test:443:127.0.0.1 zz" >"$BATS_TEST_TMPDIR/got"
		echo zzhost.test | diff -u - "$BATS_TEST_TMPDIR/got"
		zsh_matches "$BATS_TEST_TMPDIR/z" "nk $t --resolve zzhost.test:443:127.0.0.1 zz" \
			>"$BATS_TEST_TMPDIR/got"
		echo zzhost.test | diff -u - "$BATS_TEST_TMPDIR/got"
		n=$((n + 1))
	done
	[ "$n" -ge 1 ]
}

@test "URLs for the names given to --resolve complete where a URL goes" {
	local t scheme zl=() n=0
	for t in $(tools_with URL); do
		scheme=http
		[ "$t" = https ] && scheme=https
		zl+=("nk $t --resolve zz.test:8443:127.0.0.1 $scheme://z")
	done
	zsh_run "$BATS_TEST_TMPDIR/z" "${zl[@]}"
	for t in $(tools_with URL); do
		scheme=http
		[ "$t" = https ] && scheme=https
		bash_complete "nk $t --resolve zz.test:8443:127.0.0.1 $scheme://z" >"$BATS_TEST_TMPDIR/got"
		# bash replaces only what follows the last ":" of the word
		echo "//zz.test:8443/" | diff -u - "$BATS_TEST_TMPDIR/got"
		fish_complete "nk-$t --resolve zz.test:8443:127.0.0.1 $scheme://z" >"$BATS_TEST_TMPDIR/got"
		echo "$scheme://zz.test:8443/" | diff -u - "$BATS_TEST_TMPDIR/got"
		zsh_matches "$BATS_TEST_TMPDIR/z" "nk $t --resolve zz.test:8443:127.0.0.1 $scheme://z" \
			>"$BATS_TEST_TMPDIR/got"
		echo "$scheme://zz.test:8443/" | diff -u - "$BATS_TEST_TMPDIR/got"
		n=$((n + 1))
	done
	[ "$n" -ge 1 ]
}

@test "bash completes option values after = and in bundles of short options" {
	local line
	# An option's argument is never mistaken for an option or a positional.
	line=$(opts_of_kind choice | head -1)
	[ -n "$line" ]
	set -- $line
	bash_complete "nk $1 $2=${3%%|*}" >"$BATS_TEST_TMPDIR/got"
	echo "${3%%|*}" | diff -u - "$BATS_TEST_TMPDIR/got"
	# After --, words that start with - are arguments, not options.
	bash_complete "nk $1 -- -" >"$BATS_TEST_TMPDIR/got"
	[ ! -s "$BATS_TEST_TMPDIR/got" ]
}
