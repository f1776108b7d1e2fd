#!/bin/sh
# gen-completions.sh OUTDIR SRCDIR EXE...
#
# Writes the bash, zsh and fish completions for nk and the given nk-TOOL
# executables into OUTDIR (nk.bash, _nk, nk.fish). Each tool describes itself
# with its hidden --nk-options dump, so an option added to a tool's table is
# offered by every shell at the next build. The shell logic lives in the
# templates SRCDIR/nk.bash.in, _nk.in and nk.fish.in; this script only fills
# in their @DATA@ line with the tables.
#
# A tool whose dump fails is left out with a warning rather than failing the
# build: the completion tests then fail and name it.
set -eu

if [ $# -lt 2 ]; then
	echo "usage: $0 OUTDIR SRCDIR EXE..." >&2
	exit 2
fi
outdir=$1 srcdir=$2
shift 2
LC_ALL=C
export LC_ALL

tmp=$(mktemp -d "${TMPDIR:-/tmp}/nk-compgen.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
: >"$tmp/dump"
# In name order, whatever order the executables come in, so that the same
# tools always give the same files.
printf '%s\n' "$@" | sort >"$tmp/exes"
while IFS= read -r exe; do
	cmd=${exe##*/nk-}
	case $cmd in
	*[!a-z0-9-]*|"") continue ;;  # not a name nk would run
	esac
	if ! "$exe" --nk-options >"$tmp/one" 2>/dev/null ||
	    ! grep -q '^tool	' "$tmp/one"; then
		echo "gen-completions: $exe --nk-options failed; left out" >&2
		continue
	fi
	# Prefix every line with the command's own name: nk-https is nk-http
	# under another name and completes a https:// URL.
	awk -v c="$cmd" '{ print c "\t" $0 }' "$tmp/one" >>"$tmp/dump"
done <"$tmp/exes"

# The tables, in each shell's syntax.
gen() {
	awk -F '\t' -v shell="$1" '
	function bq(s) { gsub(/\047/, "\047\\\047\047", s); return "\047" s "\047" }
	function fq(s) { gsub(/\\/, "\\\\", s); gsub(/\047/, "\\\047", s); return "\047" s "\047" }
	# The positional arguments from a usage line such as
	# "[-4|-6] [--resolve ENTRY]... HOST[:PORT]": kind/NAME words, a
	# trailing "..." when the last one repeats.
	function positional(u,    w, n, i, x, rep, k, out) {
		sub(/[ \t]+\|.*/, "", u)  # only the first of alternative forms
		while (match(u, /\[-[^]]*\](\.\.\.)?/))
			u = substr(u, 1, RSTART - 1) substr(u, RSTART + RLENGTH)
		n = split(u, w, /[ \t]+/)
		out = ""
		for (i = 1; i <= n; i++) {
			x = w[i]
			rep = x ~ /\.\.\.\]?$/
			gsub(/[][]/, "", x)
			sub(/\.\.\.$/, "", x)
			sub(/[:=@].*/, "", x)
			if (x !~ /^[A-Z][A-Z0-9_-]*$/ || x == "OPTIONS")
				continue
			k = x ~ /^HOST/ ? "host" : x ~ /^URL/ ? "url" : \
			    x ~ /(FILE|PATH)$/ ? "file" : x ~ /DIR$/ ? "dir" : "none"
			out = out (out == "" ? "" : " ") k "/" x (rep ? "..." : "")
		}
		return out
	}
	# The value kind of an option as the completion scripts know it.
	function kindof(i) {
		if (kind[i] == "choice")
			return "choice:" choices[i]
		return kind[i]
	}
	$2 == "tool" {
		cmds[++ncmd] = $1
		summary[$1] = $4
		next
	}
	$2 == "usage" { usage[$1] = $3; next }
	$2 == "opt" {
		n = ++nopt
		cmd[n] = $1
		short[n] = $3 == "-" ? "" : $3
		long[n] = $4 == "" ? "" : "--" $4
		kind[n] = $5
		argname[n] = $6 == "" ? "ARG" : $6
		choices[n] = $7
		help[n] = $8
		next
	}
	END {
		if (shell == "bash") bash(); else if (shell == "zsh") zsh(); else fish()
	}

	function bash(    i, c, words, sep, p) {
		words = ""
		for (c = 1; c <= ncmd; c++)
			words = words (c > 1 ? " " : "") cmds[c]
		print "_nk_tools=" bq(words)
		print "# _nk_opts TOOL: REPLY = every option word of nk-TOOL; 1 for no such tool."
		print "_nk_opts() {"
		print "\tcase $1 in"
		for (c = 1; c <= ncmd; c++) {
			words = ""
			for (i = 1; i <= nopt; i++) {
				if (cmd[i] != cmds[c])
					continue
				if (short[i] != "")
					words = words (words == "" ? "" : " ") short[i]
				if (long[i] != "")
					words = words (words == "" ? "" : " ") long[i]
			}
			print "\t" bq(cmds[c]) ") REPLY=" bq(words) " ;;"
		}
		print "\t*) return 1 ;;"
		print "\tesac"
		print "}"
		print "# _nk_kind TOOL OPTION: REPLY = what the option takes: flag, file, dir,"
		print "# host, number, string or choice:A|B|C."
		print "_nk_kind() {"
		print "\tcase \"$1 $2\" in"
		for (i = 1; i <= nopt; i++) {
			if (kind[i] == "flag")
				continue
			p = ""
			if (short[i] != "")
				p = bq(cmd[i] " " short[i])
			if (long[i] != "")
				p = p (p == "" ? "" : "|") bq(cmd[i] " " long[i])
			print "\t" p ") REPLY=" bq(kindof(i)) " ;;"
		}
		print "\t*) REPLY=flag ;;"
		print "\tesac"
		print "}"
		print "# _nk_pos TOOL: REPLY = the kinds of its positional arguments."
		print "_nk_pos() {"
		print "\tcase $1 in"
		for (c = 1; c <= ncmd; c++)
			print "\t" bq(cmds[c]) ") REPLY=" bq(positional(usage[cmds[c]])) " ;;"
		print "\t*) REPLY= ;;"
		print "\tesac"
		print "}"
		words = ""
		for (c = 1; c <= ncmd; c++)
			words = words " nk-" cmds[c]
		print "_nk_commands=" bq("nk" words)
	}

	# zsh: _arguments specs. "[help]" needs ] and \ escaped; the message
	# after the first colon needs : escaped.
	function zhelp(s) { gsub(/\\/, "\\\\", s); gsub(/\]/, "\\]", s); gsub(/\[/, "\\[", s); return s }
	function zmsg(s) { gsub(/\\/, "\\\\", s); gsub(/:/, "\\:", s); return s }
	# An option name with a colon (-: for --next) has it escaped.
	function zname(s) { gsub(/:/, "\\:", s); return s }
	function zaction(i,    v) {
		if (kind[i] == "file") return "_files"
		if (kind[i] == "dir") return "_files -/"
		if (kind[i] == "host") return "_nk_hosts"
		if (kind[i] == "choice") {
			v = choices[i]
			gsub(/[\\ ()]/, "\\\\&", v)
			gsub(/\|/, " ", v)
			return "(" v ")"
		}
		return " "
	}
	function zsh(    c, i, spec, p, n, w, k, name, rep, scheme) {
		for (c = 1; c <= ncmd; c++) {
			print "_nk_tool_" cmds[c] "() {"
			print "\t_arguments -s -S \\"
			for (i = 1; i <= nopt; i++) {
				if (cmd[i] != cmds[c])
					continue
				if (kind[i] == "flag") {
					if (short[i] != "")
						print "\t\t" bq("*" zname(short[i]) "[" zhelp(help[i]) "]") " \\"
					if (long[i] != "")
						print "\t\t" bq("*" long[i] "[" zhelp(help[i]) "]") " \\"
					continue
				}
				spec = "[" zhelp(help[i]) "]:" zmsg(argname[i]) ":" zaction(i)
				if (short[i] != "")
					print "\t\t" bq("*" zname(short[i]) "+" spec) " \\"
				if (long[i] != "")
					print "\t\t" bq("*" long[i] "=" spec) " \\"
			}
			scheme = cmds[c] == "https" ? "https" : "http"
			n = split(positional(usage[cmds[c]]), w, " ")
			for (p = 1; p <= n; p++) {
				k = w[p]; sub(/\/.*/, "", k)
				name = w[p]; sub(/^[^\/]*\//, "", name)
				rep = name ~ /\.\.\.$/
				sub(/\.\.\.$/, "", name)
				spec = (rep ? "*" : p) ":" zmsg(name) ":"
				if (k == "host") spec = spec "_nk_hosts"
				else if (k == "url") spec = spec "_nk_urls " scheme
				else if (k == "file") spec = spec "_files"
				else if (k == "dir") spec = spec "_files -/"
				else spec = spec " "
				print "\t\t" bq(spec) " \\"
			}
			print "\t\t&& return 0"
			print "\treturn 1"
			print "}"
		}
		print "_nk_tool_list=("
		for (c = 1; c <= ncmd; c++) {
			name = cmds[c]
			gsub(/:/, "\\:", name)
			print "\t" bq(name ":" summary[cmds[c]])
		}
		print ")"
	}

	function fish(    c, i, line, w, args) {
		print "function __nk_argopts --description \047the options of an nk tool that take an argument\047"
		print "\tswitch $argv[1]"
		for (c = 1; c <= ncmd; c++) {
			args = ""
			for (i = 1; i <= nopt; i++) {
				if (cmd[i] != cmds[c] || kind[i] == "flag")
					continue
				if (short[i] != "") args = args " " short[i]
				if (long[i] != "") args = args " " long[i]
			}
			print "\tcase " fq(cmds[c])
			if (args != "")
				print "\t\tprintf \047%s\\n\047" args
		}
		print "\tend"
		print "end"
		print "function __nk_poslist --description \047what the positional arguments of an nk tool are\047"
		print "\tswitch $argv[1]"
		for (c = 1; c <= ncmd; c++) {
			print "\tcase " fq(cmds[c])
			w = positional(usage[cmds[c]])
			if (w != "")
				print "\t\tprintf \047%s\\n\047 " w
		}
		print "\tend"
		print "end"
		print "function __nk_tool_names --description \047the nk tools and what they do\047"
		for (c = 1; c <= ncmd; c++)
			print "\tprintf \047%s\\t%s\\n\047 " fq(cmds[c]) " " fq(summary[cmds[c]])
		print "end"
		print "complete -c nk -n __nk_no_tool -a \047(__nk_tool_names)\047"
		for (c = 1; c <= ncmd; c++) {
			print "complete -c nk-" cmds[c] " -f"
			print "complete -c nk -n " fq("__nk_tool " cmds[c]) " -a " fq("(__nk_positional " cmds[c] ")")
			print "complete -c nk-" cmds[c] " -a " fq("(__nk_positional " cmds[c] ")")
			for (i = 1; i <= nopt; i++) {
				if (cmd[i] != cmds[c])
					continue
				line = ""
				# -#: fish would read an unquoted # as a comment.
				if (short[i] != "") line = line " -s " (short[i] ~ /^-[[:alnum:]]$/ ? substr(short[i], 2) : fq(substr(short[i], 2)))
				if (long[i] != "") line = line " -l " substr(long[i], 3)
				if (kind[i] == "file") line = line " -r -F"
				else if (kind[i] == "dir") line = line " -x -a " fq("(__fish_complete_directories (__nk_optval))")
				else if (kind[i] == "host") line = line " -x -a " fq("(__nk_hosts)")
				else if (kind[i] == "choice") {
					w = choices[i]
					gsub(/\|/, " ", w)
					line = line " -x -a " fq(w)
				} else if (kind[i] != "flag") line = line " -x"
				line = line " -d " fq(help[i])
				print "complete -c nk -n " fq("__nk_tool " cmds[c]) line
				print "complete -c nk-" cmds[c] line
			}
		}
	}
	' "$tmp/dump"
}

mkdir -p "$outdir"
# fill TEMPLATE OUTPUT SHELL: the template with its @DATA@ line replaced
# (and @COMMANDS@ by the list of commands, for zsh's #compdef line).
fill() {
	gen "$3" >"$tmp/data"
	cmds="nk"
	for c in $(awk -F '\t' '$2 == "tool" { print $1 }' "$tmp/dump"); do
		cmds="$cmds nk-$c"
	done
	awk -v data="$tmp/data" -v cmds="$cmds" '
		/^@DATA@$/ { while ((getline l < data) > 0) print l; next }
		{ gsub(/@COMMANDS@/, cmds); print }
	' "$1" >"$tmp/out"
	mv "$tmp/out" "$2"
}
fill "$srcdir/nk.bash.in" "$outdir/nk.bash" bash
fill "$srcdir/_nk.in" "$outdir/_nk" zsh
fill "$srcdir/nk.fish.in" "$outdir/nk.fish" fish
