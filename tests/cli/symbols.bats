#!/usr/bin/env bats
# libnk.so's interface: it exports exactly what the public headers declare
# with NK_API (no internal helper leaks, no declaration is missing), under
# its soname and symbol version, and each header stands on its own.

load ../lib/common

SRC=$TESTS_DIR/..
SO=$NK_BUILD/lib/libnk.so.0

# The names libnk.so exports, without their version suffix.
exported() {
	nm -D --defined-only "$SO" | awk '$2 != "A" { sub(/@.*/, "", $3); print $3 }' |
		LC_ALL=C sort
}

@test "libnk.so exports exactly the NK_API declarations of include/nk/*.h" {
	"$SRC/scripts/api-names.sh" "$SRC"/include/nk/*.h | awk '{ print $2 }' |
		LC_ALL=C sort >"$BATS_TEST_TMPDIR/declared"
	# nk_version and the error functions at least: the list is never empty
	grep -qx nk_version "$BATS_TEST_TMPDIR/declared"
	grep -qx nk_err_str "$BATS_TEST_TMPDIR/declared"
	exported >"$BATS_TEST_TMPDIR/exported"
	# "+" lines leak (exported, not declared); "-" lines are declared but
	# not in the library.
	diff -u "$BATS_TEST_TMPDIR/declared" "$BATS_TEST_TMPDIR/exported"
}

@test "no name is declared NK_API twice" {
	run bash -c "'$SRC/scripts/api-names.sh' '$SRC'/include/nk/*.h | awk '{ print \$2 }' | sort | uniq -d"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "api-names finds declarations across lines and skips comments and macros" {
	cat >"$BATS_TEST_TMPDIR/t.h" <<'EOF'
/* NK_API nk_in_comment(void); */
#define NK_FOO(x) \
	NK_API int nk_in_macro(x);
NK_API nk_err nk_multi(const char *a,
                       int b) NK_PRINTF(1, 2);
typedef struct nk_s { int a; } nk_s;
NK_API const char *nk_ptr(void);
NK_API extern const int nk_var;
NK_API int nk_arr[4];
int nk_not_api(void);
EOF
	run "$SRC/scripts/api-names.sh" "$BATS_TEST_TMPDIR/t.h"
	[ "$status" -eq 0 ]
	[ "$output" = "$BATS_TEST_TMPDIR/t.h nk_multi
$BATS_TEST_TMPDIR/t.h nk_ptr
$BATS_TEST_TMPDIR/t.h nk_var
$BATS_TEST_TMPDIR/t.h nk_arr" ]
}

@test "the soname is libnk.so.0 and every export has the NK_0 version" {
	run readelf -d "$SO"
	[ "$status" -eq 0 ]
	[[ "$output" == *"Library soname: [libnk.so.0]"* ]]
	run bash -c "nm -D --defined-only '$SO' | awk '\$2 != \"A\"' | grep -v '@@NK_0\$'"
	[ -z "$output" ]
	[ "$(readlink "$NK_BUILD/lib/libnk.so.0")" = "libnk.so.$(nk --version | sed -n '1s/^nk //p')" ]
	[ "$(readlink "$NK_BUILD/lib/libnk.so")" = libnk.so.0 ]
}

@test "every public header compiles on its own, as C11 and as C++" {
	local h n=0
	for h in "$SRC"/include/nk/*.h; do
		echo "#include <nk/${h##*/}>" |
			cc -std=c11 -Wall -Wextra -pedantic -Werror -fsyntax-only \
				-I"$SRC/include" -x c -
		echo "#include <nk/${h##*/}>" |
			c++ -std=c++11 -Wall -Wextra -pedantic -Werror -fsyntax-only \
				-I"$SRC/include" -x c++ -
		n=$((n + 1))
	done
	[ "$n" -ge 5 ]
}

@test "nk.h includes every public header" {
	local h
	for h in "$SRC"/include/nk/*.h; do
		[ "${h##*/}" = nk.h ] && continue
		grep -q "^#include \"nk/${h##*/}\"" "$SRC/include/nk/nk.h" ||
			{ echo "nk.h does not include ${h##*/}" >&2; return 1; }
	done
}
