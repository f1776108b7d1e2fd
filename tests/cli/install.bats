#!/usr/bin/env bats
# make install / uninstall into temporary DESTDIRs: every file where the
# directory variables say, a tree that works where it lands (the front
# command finds its tools, pkg-config finds the library, the examples build
# against it with nothing else and run against local servers), and an
# uninstall that leaves no file behind.

load ../lib/common
bats_require_minimum_version 1.5.0

SRC=$(cd "$TESTS_DIR/.." && pwd)
VERSION=$(sed -n 's/^#define NK_VERSION "\(.*\)"/\1/p' "$SRC/include/nk/defs.h")
# A sanitizer build (make SANITIZE=1) installs a libnk that needs the
# sanitizer runtimes: programs linked with it need them too.
SAN=
# gcc records the runtime as a needed library; clang leaves the __asan_
# symbols undefined instead.
if readelf -d "$NK_BUILD/lib/libnk.so.0" 2>/dev/null | grep -q 'libasan' ||
   nm -D --undefined-only "$NK_BUILD/lib/libnk.so.0" 2>/dev/null | grep -q __asan_init; then
	SAN=-fsanitize=address,undefined
fi

# inst DESTDIR [VAR=value...] TARGET: make in the source tree, on the
# build directory the tests run from (all up to date: nothing is rebuilt).
inst() {
	local dest=$1
	shift
	make -s -C "$SRC" B="$NK_BUILD" DESTDIR="$dest" "$@" >"$BATS_TEST_TMPDIR/make.log" 2>&1 ||
		{ cat "$BATS_TEST_TMPDIR/make.log" >&2; return 1; }
}

setup_file() {
	export ROOT=$BATS_FILE_TMPDIR/root P=$BATS_FILE_TMPDIR/root/usr/local
	make -s -C "$SRC" B="$NK_BUILD" DESTDIR="$ROOT" install >"$BATS_FILE_TMPDIR/make.log" 2>&1 ||
		{ cat "$BATS_FILE_TMPDIR/make.log" >&2; return 1; }
}

# The commands of the build: every nk-TOOL, nk-https included.
commands() {
	local f
	for f in "$NK_BIN"/nk-*; do
		[ -x "$f" ] && echo "${f##*/}"
	done
}

@test "make install puts each file where the directory variables say" {
	local c h f
	[ -x "$P/bin/nk" ]
	cmp "$NK_BIN/nk" "$P/bin/nk"
	for c in $(commands); do
		if [ -L "$NK_BIN/$c" ]; then
			[ "$(readlink "$P/bin/$c")" = "$(readlink "$NK_BIN/$c")" ]
		else
			[ "$(stat -c %a "$P/bin/$c")" = 755 ]
			cmp "$NK_BIN/$c" "$P/bin/$c"
		fi
	done
	[ "$(stat -c %a "$P/lib/libnk.so.$VERSION")" = 644 ]
	cmp "$NK_BUILD/lib/libnk.so.$VERSION" "$P/lib/libnk.so.$VERSION"
	[ "$(readlink "$P/lib/libnk.so.0")" = "libnk.so.$VERSION" ]
	[ "$(readlink "$P/lib/libnk.so")" = libnk.so.0 ]
	cmp "$NK_BUILD/lib/libnk.a" "$P/lib/libnk.a"
	[ -f "$P/lib/pkgconfig/nk.pc" ]
	for h in "$SRC"/include/nk/*.h; do
		cmp "$h" "$P/include/nk/${h##*/}"
	done
	for f in "$NK_BUILD"/man/man1/*.1 "$NK_BUILD"/man/man3/*.3; do
		cmp "$f" "$P/share/man/${f#"$NK_BUILD"/man/}"
	done
	[ -f "$P/share/man/man1/nk.1" ]
	cmp "$NK_BUILD/completions/nk.bash" "$P/share/bash-completion/completions/nk"
	cmp "$NK_BUILD/completions/_nk" "$P/share/zsh/site-functions/_nk"
	cmp "$NK_BUILD/completions/nk.fish" "$P/share/fish/vendor_completions.d/nk.fish"
	# bash-completion and fish load a completion by the command's name
	for c in $(commands); do
		[ "$(readlink "$P/share/bash-completion/completions/$c")" = nk ]
		[ "$(readlink "$P/share/fish/vendor_completions.d/$c.fish")" = nk.fish ]
	done
}

@test "make install installs nothing else" {
	local n_cmd n_hdr n_man
	n_cmd=$(commands | wc -l)
	n_hdr=$(ls "$SRC"/include/nk/*.h | wc -l)
	n_man=$(ls "$NK_BUILD"/man/man1/*.1 "$NK_BUILD"/man/man3/*.3 | wc -l)
	# bin: nk and the commands; lib: the .so, its two links, the .a and
	# the .pc; completions: 3 files and 2 links per command
	expected=$((1 + n_cmd + 5 + n_hdr + n_man + 3 + 2 * n_cmd))
	run bash -c "cd '$ROOT' && find . ! -type d | sort"
	[ "${#lines[@]}" -eq "$expected" ] || { echo "expected $expected files:"; echo "$output"; false; }
	# and nothing outside the prefix
	run bash -c "cd '$ROOT' && find . ! -type d ! -path './usr/local/*'"
	[ -z "$output" ]
}

@test "the installed nk runs the installed tools, with PATH empty" {
	run env -i PATH=/nonexistent "$P/bin/nk" url --version
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "nk-url $VERSION (libnk $VERSION)" ]
	run env -i PATH=/nonexistent "$P/bin/nk" help url
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$(nk-url --help | head -1)" ]
	# and a moved tree still works: the tools are found next to nk
	cp -a "$ROOT" "$BATS_TEST_TMPDIR/moved"
	run env -i PATH=/nonexistent "$BATS_TEST_TMPDIR/moved/usr/local/bin/nk" url --version
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "nk-url $VERSION (libnk $VERSION)" ]
}

@test "make uninstall removes every file that make install put there" {
	local d=$BATS_TEST_TMPDIR/d
	inst "$d" install
	[ -n "$(find "$d" ! -type d)" ]
	inst "$d" uninstall
	run find "$d" ! -type d
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ ! -e "$d/usr/local/include/nk" ]
}

@test "PREFIX, BINDIR, TOOLDIR, LIBDIR, INCLUDEDIR, MANDIR and the completion dirs are honoured" {
	local d=$BATS_TEST_TMPDIR/d c
	inst "$d" PREFIX=/opt/nk BINDIR=/opt/bin TOOLDIR=/opt/nk/libexec/nk \
		LIBDIR=/opt/nk/lib64 INCLUDEDIR=/opt/inc MANDIR=/opt/man \
		BASHCOMPDIR=/opt/bc ZSHCOMPDIR=/opt/zc FISHCOMPDIR=/opt/fc install
	[ -x "$d/opt/bin/nk" ]
	for c in $(commands); do
		[ -e "$d/opt/nk/libexec/nk/$c" ]
		[ ! -e "$d/opt/bin/$c" ]
		[ -L "$d/opt/bc/$c" ]
		[ -L "$d/opt/fc/$c.fish" ]
	done
	[ -f "$d/opt/nk/lib64/libnk.so.$VERSION" ]
	[ -f "$d/opt/nk/lib64/libnk.a" ]
	[ -f "$d/opt/nk/lib64/pkgconfig/nk.pc" ]
	[ -f "$d/opt/inc/nk/nk.h" ]
	[ -f "$d/opt/man/man1/nk.1" ]
	[ -f "$d/opt/bc/nk" ] && [ -f "$d/opt/zc/_nk" ] && [ -f "$d/opt/fc/nk.fish" ]
	grep -qx 'prefix=/opt/nk' "$d/opt/nk/lib64/pkgconfig/nk.pc"
	grep -qx 'libdir=${prefix}/lib64' "$d/opt/nk/lib64/pkgconfig/nk.pc"
	grep -qx 'includedir=/opt/inc' "$d/opt/nk/lib64/pkgconfig/nk.pc"
	inst "$d" PREFIX=/opt/nk BINDIR=/opt/bin TOOLDIR=/opt/nk/libexec/nk \
		LIBDIR=/opt/nk/lib64 INCLUDEDIR=/opt/inc MANDIR=/opt/man \
		BASHCOMPDIR=/opt/bc ZSHCOMPDIR=/opt/zc FISHCOMPDIR=/opt/fc uninstall
	run find "$d" ! -type d
	[ -z "$output" ]
}

# pc ARGS...: pkg-config on the installed nk.pc, relocated: the tree is
# not where its prefix says, and nk.pc names its directories from ${prefix},
# so a copy with prefix=$P describes the tree where it is.
pc() {
	if [ ! -f "$BATS_FILE_TMPDIR/pc/nk.pc" ]; then
		mkdir -p "$BATS_FILE_TMPDIR/pc"
		sed "s|^prefix=.*|prefix=$P|" "$P/lib/pkgconfig/nk.pc" >"$BATS_FILE_TMPDIR/pc/nk.pc"
	fi
	PKG_CONFIG_PATH=$BATS_FILE_TMPDIR/pc pkg-config "$@"
}

@test "pkg-config finds the installed library: flags, version, requirements" {
	run pc --libs nk
	[ "$status" -eq 0 ]
	[ "$(echo $output)" = "-L$P/lib -lnk" ]
	run pc --cflags-only-I nk
	[[ "$output" == "-I$P/include"* ]]
	run pc --modversion nk
	[ "$output" = "$VERSION" ]
	run pc --print-requires-private nk
	[ "$output" = "openssl
zlib
libbrotlidec
libzstd
libnghttp2
libpsl
libidn2" ]
	grep -qx "prefix=/usr/local" "$P/lib/pkgconfig/nk.pc"
	grep -qx 'libdir=${prefix}/lib' "$P/lib/pkgconfig/nk.pc"
	grep -qx 'includedir=${prefix}/include' "$P/lib/pkgconfig/nk.pc"
	# the installed file as it is, moved with --define-prefix (the prefix
	# from where the .pc is: lib/pkgconfig/..), or seen through a sysroot
	# as a cross build sees it
	run env PKG_CONFIG_PATH="$P/lib/pkgconfig" pkg-config --define-prefix --libs nk
	[ "$(echo $output)" = "-L$P/lib -lnk" ]
	run env PKG_CONFIG_PATH="$P/lib/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$ROOT" \
		pkg-config --libs nk
	[ "$(echo $output)" = "-L$P/lib -lnk" ]
}

@test "what libnk.so links is what nk.pc declares for static linking" {
	local lib deps
	# The libraries of the packages nk.pc requires privately (what a link
	# of libnk.a needs), and its Libs.private.
	deps=" $(pc --libs $(pc --print-requires-private nk)) $(pc --static --libs-only-l nk) "
	for lib in $(readelf -d "$P/lib/libnk.so.0" | sed -n 's/.*Shared library: \[\(lib[^.]*\)\.so.*\]/\1/p'); do
		case $lib in
		libc|libm|libpthread|libdl|librt) continue ;;
		libasan|libubsan) continue ;;  # a SANITIZE=1 build
		esac
		[[ $deps == *" -l${lib#lib} "* ]] ||
			{ echo "libnk.so needs $lib; nk.pc gives: $deps" >&2; return 1; }
	done
	# and a program links libnk.a with those libraries
	printf '%s\n' '#include <stdio.h>' '#include <nk/nk.h>' \
		'int main(void) { printf("%s %s\n", nk_version(), nk_err_name(NK_ERR_COULDNT_CONNECT)); return 0; }' \
		>"$BATS_TEST_TMPDIR/v.c"
	cc $SAN -o "$BATS_TEST_TMPDIR/v" "$BATS_TEST_TMPDIR/v.c" $(pc --cflags nk) \
		"$P/lib/libnk.a" $(pc --libs $(pc --print-requires-private nk)) -lpthread
	run "$BATS_TEST_TMPDIR/v"
	[ "$output" = "$VERSION COULDNT_CONNECT" ]
	run bash -c "readelf -d '$BATS_TEST_TMPDIR/v' | grep -c 'libnk\.so'"
	[ "$output" = 0 ]
}

# build_example NAME: compiles examples/NAME.c against the installed tree
# with pkg-config only, warnings as errors.
build_example() {
	cc $SAN -std=c11 -Wall -Wextra -Werror -o "$BATS_TEST_TMPDIR/$1" "$SRC/examples/$1.c" \
		$(pc --cflags --libs nk)
}

@test "every example builds against the installed tree with pkg-config alone" {
	local f n=0
	for f in "$SRC"/examples/*.c; do
		build_example "$(basename "$f" .c)"
		# it runs on the installed libnk.so, not the build tree's
		LD_LIBRARY_PATH=$P/lib ldd "$BATS_TEST_TMPDIR/$(basename "$f" .c)" |
			grep -q "libnk.so.0 => $P/lib/libnk.so.0"
		n=$((n + 1))
	done
	[ "$n" -ge 3 ]
}

@test "example url_parse prints the parts of a URL" {
	build_example url_parse
	run env LD_LIBRARY_PATH="$P/lib" "$BATS_TEST_TMPDIR/url_parse" \
		'HTTP://Example.ORG:8080/a/../b%7e?q=1#top'
	[ "$status" -eq 0 ]
	[ "$output" = "href:     http://example.org:8080/b%7e?q=1#top
scheme:   http
host:     example.org
port:     8080
path:     /b%7e
query:    ?q=1
fragment: #top
connect:  example.org port 8080
request:  GET /b%7e?q=1
Host:     example.org:8080" ]
	run env LD_LIBRARY_PATH="$P/lib" "$BATS_TEST_TMPDIR/url_parse" '../c' 'https://[::1]/a/b'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "href:     https://[::1]/c" ]
	[ "${lines[7]}" = "connect:  ::1 port 443" ]
	run env LD_LIBRARY_PATH="$P/lib" "$BATS_TEST_TMPDIR/url_parse" 'http://exa mple/'
	[ "$status" -eq 3 ]
	[[ "${lines[0]}" == 'invalid URL "http://exa mple/": '*' at position '* ]]
}

@test "example echo_roundtrip talks to the installed nk echo server" {
	build_example echo_roundtrip
	start_bg "$BATS_TEST_TMPDIR/echo.log" "$P/bin/nk" echo --listen 127.0.0.1:0
	line=$(wait_for_line "$BATS_TEST_TMPDIR/echo.log" '^Listening on ')
	port=${line##*:}
	run timeout 10 env LD_LIBRARY_PATH="$P/lib" "$BATS_TEST_TMPDIR/echo_roundtrip" \
		127.0.0.1 "$port" 'hello, echo'
	[ "$status" -eq 0 ]
	[ "$output" = "connected to 127.0.0.1 port $port
11 bytes sent, 11 bytes echoed back intact" ]
	stop_pid "$BG_PID"
	# nobody listens any more: the connect error, exit 7
	run timeout 10 env LD_LIBRARY_PATH="$P/lib" "$BATS_TEST_TMPDIR/echo_roundtrip" \
		127.0.0.1 "$port" 'hello'
	[ "$status" -eq 7 ]
	[[ "$output" == "echo_roundtrip: Failed to connect to 127.0.0.1 port $port"* ]]
}

# A CA and a server certificate for 127.0.0.1 that expires in 30 days.
make_certs() {
	local d=$BATS_TEST_TMPDIR/pki
	mkdir -p "$d"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$d/ca.key" -out "$d/ca.pem" -days 365 \
		-subj "/CN=nk example CA" 2>/dev/null
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$d/leaf.key" -out "$d/leaf.csr" -subj "/CN=nk example leaf" 2>/dev/null
	printf 'subjectAltName=IP:127.0.0.1\n' >"$d/ext"
	openssl x509 -req -in "$d/leaf.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" \
		-CAcreateserial -days 30 -extfile "$d/ext" -out "$d/leaf.pem" 2>/dev/null
}

@test "example cert_expiry reports a local server's certificate expiry" {
	build_example cert_expiry
	make_certs
	local d=$BATS_TEST_TMPDIR/pki port
	port=$(free_port)
	start_bg "$BATS_TEST_TMPDIR/s_server.log" openssl s_server -quiet \
		-accept "127.0.0.1:$port" -cert "$d/leaf.pem" -key "$d/leaf.key" -www
	wait_port "$port"
	end=$(date -u -d "$(openssl x509 -in "$d/leaf.pem" -noout -enddate | cut -d= -f2)" '+%Y-%m-%d %H:%M:%S UTC')
	run timeout 10 env LD_LIBRARY_PATH="$P/lib" "$BATS_TEST_TMPDIR/cert_expiry" \
		127.0.0.1 "$port" "$d/ca.pem"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "subject:  CN=nk example leaf" ]
	[ "${lines[1]}" = "issuer:   CN=nk example CA" ]
	# 30 days from its creation: 29 days and some hours left, or 30 when
	# the check runs within the second the certificate was made
	[[ "${lines[2]}" == "expires:  $end (in 29 days)" ||
	   "${lines[2]}" == "expires:  $end (in 30 days)" ]]
	[[ "${lines[3]}" == "verified: yes, TLSv1.3 TLS_"* ]]
	# trusting only the leaf, the chain lacks its issuer: exit 60, and the
	# certificate is still shown
	run --separate-stderr timeout 10 env LD_LIBRARY_PATH="$P/lib" \
		"$BATS_TEST_TMPDIR/cert_expiry" 127.0.0.1 "$port" "$d/leaf.pem"
	[ "$status" -eq 60 ]
	[ "${lines[0]}" = "subject:  CN=nk example leaf" ]
	[[ "$stderr" == "cert_expiry: certificate verification failed for 127.0.0.1: "* ]]
}

@test "example fetch writes a local server's page to stdout" {
	build_example fetch
	mkdir -p "$BATS_TEST_TMPDIR/www/sub"
	printf 'hello from the example\n' >"$BATS_TEST_TMPDIR/www/sub/index.html"
	port=$(free_port)
	start_bg "$BATS_TEST_TMPDIR/http.log" python3 -m http.server --bind 127.0.0.1 \
		--directory "$BATS_TEST_TMPDIR/www" "$port"
	wait_port "$port"
	# /sub redirects to /sub/ (301), which fetch follows
	run timeout 10 env LD_LIBRARY_PATH="$P/lib" "$BATS_TEST_TMPDIR/fetch" "http://127.0.0.1:$port/sub"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "hello from the example" ]
	[ "${lines[1]}" = "fetch: 200, 23 bytes, 2 request(s)" ]
	run timeout 10 env LD_LIBRARY_PATH="$P/lib" "$BATS_TEST_TMPDIR/fetch" "http://127.0.0.1:$port/nothing"
	[ "$status" -eq 22 ]
}

@test "the installed man pages are found by man, function names included" {
	run env MANPATH="$P/share/man" man -w nk
	[ "$output" = "$P/share/man/man1/nk.1" ]
	local page f
	for f in "$P"/share/man/man1/*.1 "$P"/share/man/man3/*.3; do
		page=${f##*/}
		run env MANPATH="$P/share/man" MANWIDTH=80 man -P cat "${page##*.}" "${page%.*}"
		[ "$status" -eq 0 ] || { echo "man ${page%.*}: $output" >&2; return 1; }
		[ -n "$output" ]
	done
	# a function's name leads to its module's page
	run env MANPATH="$P/share/man" MANWIDTH=80 man -P cat 3 nk_url_parse
	[ "$status" -eq 0 ]
	[[ "$output" == *"nk_url_parse"* ]]
}

@test "installed completions load by command name, as bash-completion and fish do" {
	local c
	for c in nk $(commands); do
		run bash --norc -c "source '$P/share/bash-completion/completions/$c' && complete -p $c"
		[ "$status" -eq 0 ]
		[ "$output" = "complete -F _nk $c" ]
	done
	run fish --no-config -c "set fish_complete_path $P/share/fish/vendor_completions.d; complete -C 'nk-url --js'"
	[ "$status" -eq 0 ]
	[[ "$output" == "--json"* ]]
	head -1 "$P/share/zsh/site-functions/_nk" | grep -q "^#compdef nk .*nk-url"
}
