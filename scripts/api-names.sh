#!/bin/sh
# api-names.sh HEADER...: prints "HEADER NAME" for every declaration marked
# NK_API in the given public headers (functions and variables), in order.
# The symbol test compares this list with what libnk.so exports, the man
# page test with what the pages document, and `make man` links each name to
# its module's page.
set -eu
LC_ALL=C
export LC_ALL
for h; do
	# Comments and preprocessor lines go first (a #define may span lines);
	# then the text is cut into statements at ; { and }, and each statement
	# that carries NK_API names the identifier before its first "(" (a
	# function) or its last identifier (a variable).
	awk -v h="$h" '
	BEGIN { text = "" }
	{
		line = $0
		if (cont) { cont = line ~ /\\$/; next }
		if (line ~ /^[ \t]*#/) { cont = line ~ /\\$/; next }
		text = text " " line
	}
	END {
		while ((i = index(text, "/*")) > 0) {
			rest = substr(text, i + 2)
			j = index(rest, "*/")
			text = substr(text, 1, i - 1) " " (j ? substr(rest, j + 2) : "")
		}
		gsub(/\/\/[^\n]*/, "", text)
		n = split(text, st, /[;{}]/)
		for (k = 1; k <= n; k++) {
			s = st[k]
			if (s !~ /(^|[^A-Za-z0-9_])NK_API([^A-Za-z0-9_]|$)/)
				continue
			p = index(s, "(")
			if (p > 0)
				s = substr(s, 1, p - 1)
			else
				sub(/\[.*/, "", s)
			if (match(s, /[A-Za-z_][A-Za-z0-9_]*[ \t]*$/)) {
				name = substr(s, RSTART, RLENGTH)
				sub(/[ \t]+$/, "", name)
				print h, name
			}
		}
	}' "$h"
done
