# nk: a plain Makefile. `make` builds into $(B)/, `make check` runs every test,
# `make demo` shows the tools against servers it starts on 127.0.0.1.

# SANITIZE=1 builds with AddressSanitizer and UBSan, into its own directory.
ifeq ($(SANITIZE),1)
B          ?= build-san
else
B          ?= build
endif
CC         ?= cc
PKG_CONFIG ?= pkg-config
PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
LIBDIR     ?= $(PREFIX)/lib
LIBEXECDIR ?= $(PREFIX)/libexec/nk
INCLUDEDIR ?= $(PREFIX)/include
MANDIR     ?= $(PREFIX)/share/man
DESTDIR    ?=
# READLINE=edit builds nk-telnet against libedit instead of GNU readline.
READLINE   ?= gnu
CFLAGS     ?= -O2 -g
# V=1 shows the full commands.
ifeq ($(V),1)
Q :=
say = @true
else
Q := @
say = @printf '  %-6s %s\n'
endif

VERSION := $(shell sed -n 's/^\#define NK_VERSION "\(.*\)"/\1/p' include/nk/defs.h)

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
        -Wpointer-arith -Wformat=2 -Wno-format-nonliteral
# Tools see only the public headers (include/nk/); the library, its unit
# tests and fuzz targets also see lib/'s internal headers, named by layer
# ("net/net_int.h"). scripts/layers.py checks the layers (make lint).
BASE_CFLAGS := -std=gnu11 $(WARN) -D_GNU_SOURCE -Iinclude -MMD -MP
ifeq ($(SANITIZE),1)
BASE_CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
SAN_LDFLAGS := -fsanitize=address,undefined
endif
# ThreadSanitizer, for nk http -Z's worker threads (not with the above).
ifeq ($(SANITIZE),thread)
BASE_CFLAGS += -fsanitize=thread -fno-omit-frame-pointer
SAN_LDFLAGS := -fsanitize=thread
endif
# Library objects are position independent (they go into libnk.so too) and
# export only what NK_API marks.
LIB_CFLAGS := $(BASE_CFLAGS) -Ilib -fPIC -fvisibility=hidden
TOOL_CFLAGS := $(BASE_CFLAGS) -Icmd/common -DNK_LIBEXECDIR='"$(LIBEXECDIR)"'

SSL_LIBS := $(shell $(PKG_CONFIG) --libs openssl 2>/dev/null || echo -lssl -lcrypto)
Z_LIBS   := $(shell $(PKG_CONFIG) --libs zlib 2>/dev/null || echo -lz)
IDN_LIBS := $(shell $(PKG_CONFIG) --libs libidn2 2>/dev/null || echo -lidn2)
# libunistring: the URL layer's Unicode properties and NFC (lib/url).
UNI_LIBS := -lunistring
PSL_LIBS := $(shell $(PKG_CONFIG) --libs libpsl 2>/dev/null || echo -lpsl)
BR_LIBS  := $(shell $(PKG_CONFIG) --libs libbrotlidec 2>/dev/null || echo -lbrotlidec)
ZSTD_LIBS := $(shell $(PKG_CONFIG) --libs libzstd 2>/dev/null || echo -lzstd)
# HTTP/2 framing, HPACK and flow control (lib/fetch/h2.c).
H2_LIBS  := $(shell $(PKG_CONFIG) --libs libnghttp2 2>/dev/null || echo -lnghttp2)
# the br encoder, which only tests link: they make br bodies with it
BRENC_LIBS := $(shell $(PKG_CONFIG) --libs libbrotlienc 2>/dev/null || echo -lbrotlienc)
LIB_DEPS := $(SSL_LIBS) $(Z_LIBS) $(BR_LIBS) $(ZSTD_LIBS) $(H2_LIBS) $(PSL_LIBS) $(IDN_LIBS) $(UNI_LIBS) -lpthread
ifeq ($(READLINE),edit)
RL_CFLAGS := -DNK_USE_LIBEDIT $(shell $(PKG_CONFIG) --cflags libedit 2>/dev/null)
RL_LIBS   := $(shell $(PKG_CONFIG) --libs libedit 2>/dev/null || echo -ledit)
else
RL_CFLAGS :=
RL_LIBS   := -lreadline
endif
# --as-needed: a tool that never calls OpenSSL does not load it at start-up.
# pack-relative-relocs (DT_RELR, binutils 2.38 and glibc 2.36 on): the
# tools' 19,000 relative relocations take 6 KiB instead of a 460 KiB table
# that start-up reads whole (peak RSS of a small GET: 3.2 -> 2.9 MiB). Used
# when the linker takes it.
RELR := $(shell printf 'int main(void){return 0;}' | $(CC) -x c - -o /dev/null \
          -Wl,-z,pack-relative-relocs 2>/dev/null && echo -Wl,-z,pack-relative-relocs)
TOOL_LDFLAGS := -Wl,--as-needed $(RELR) $(SAN_LDFLAGS) $(LDFLAGS)
# STATIC_DEPS=1 (the default) links OpenSSL, zlib, brotli, zstd, nghttp2 and libidn2 into the tools
# statically: the dynamic loader relocating libssl and libcrypto cost 3.9M of
# the 4.0M instructions of a small http GET (docs/BENCHMARKS.md); linked in,
# the whole GET is 0.6M. The tools stay PIE. STATIC_DEPS=0 links them
# dynamically, for distributions that rebuild nothing on an OpenSSL update.
STATIC_DEPS ?= 1
ifeq ($(STATIC_DEPS),1)
TOOL_DEPS := -Wl,-Bstatic -lssl -lcrypto -lz -lbrotlidec -lbrotlicommon -lzstd -lnghttp2 -lpsl -lidn2 -lunistring -Wl,-Bdynamic -lpthread -ldl
else
TOOL_DEPS := $(LIB_DEPS)
endif

# lib/ has one folder a layer (docs/DESIGN.md).
LIB_SRCS    := $(sort $(wildcard lib/*/*.c))
LIB_OBJS    := $(LIB_SRCS:%.c=$(B)/obj/%.o)
COMMON_SRCS := $(sort $(wildcard cmd/common/*.c))
COMMON_OBJS := $(COMMON_SRCS:%.c=$(B)/obj/%.o)
# An archive, so each binary takes only the shared helpers it calls (the
# front command must not pull in the TLS report, and with it OpenSSL).
COMMON_A    := $(B)/lib/libnkcmd.a
TOOLS       := $(filter-out common nk,$(notdir $(wildcard cmd/*)))
TOOL_BINS   := $(TOOLS:%=$(B)/bin/nk-%)
UNIT_SRCS   := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS   := $(UNIT_SRCS:tests/unit/%.c=$(B)/tests/%)

SONAME   := libnk.so.0
LIB_SO   := $(B)/lib/libnk.so.$(VERSION)
LIB_A    := $(B)/lib/libnk.a

.PHONY: all lib tools tests check demo clean deps install uninstall
all: lib tools $(B)/bin/nk $(if $(filter http,$(TOOLS)),$(B)/bin/nk-https) completions

lib: $(LIB_SO) $(LIB_A)
tools: $(TOOL_BINS)
tests: all $(UNIT_BINS)

$(B)/obj/lib/%.o: lib/%.c
	@mkdir -p $(@D)
	$(say) CC $<
	$(Q)$(CC) $(LIB_CFLAGS) $(CFLAGS) -c -o $@ $<

$(B)/obj/cmd/%.o: cmd/%.c
	@mkdir -p $(@D)
	$(say) CC $<
	$(Q)$(CC) $(TOOL_CFLAGS) $(if $(findstring cmd/telnet/,$<),$(RL_CFLAGS)) $(CFLAGS) -c -o $@ $<

$(B)/obj/tests/%.o: tests/%.c
	@mkdir -p $(@D)
	$(say) CC $<
	$(Q)$(CC) $(BASE_CFLAGS) -Ilib $(CFLAGS) -c -o $@ $<

$(LIB_A): $(LIB_OBJS)
	@mkdir -p $(@D)
	$(say) AR $@
	$(Q)rm -f $@ && ar rcs $@ $^

$(COMMON_A): $(COMMON_OBJS)
	@mkdir -p $(@D)
	$(say) AR $@
	$(Q)rm -f $@ && ar rcs $@ $^

$(LIB_SO): $(LIB_OBJS) lib/libnk.map
	@mkdir -p $(@D)
	$(say) LD $@
	$(Q)$(CC) -shared -Wl,-soname,$(SONAME) -Wl,--version-script=lib/libnk.map \
		$(SAN_LDFLAGS) $(LDFLAGS) -o $@ $(LIB_OBJS) $(LIB_DEPS)
	$(Q)ln -sf libnk.so.$(VERSION) $(B)/lib/$(SONAME)
	$(Q)ln -sf $(SONAME) $(B)/lib/libnk.so

# Tools link libnk statically: no run-time search path to get wrong and a
# faster start; libnk.so is for other programs.
define TOOL_RULE
$(B)/bin/nk-$(1): $(patsubst %.c,$(B)/obj/%.o,$(wildcard cmd/$(1)/*.c)) $(COMMON_A) $(LIB_A)
	@mkdir -p $$(@D)
	$$(say) LD $$@
	$$(Q)$$(CC) $(TOOL_LDFLAGS) -o $$@ $$^ $(if $(filter telnet,$(1)),$(RL_LIBS)) $(TOOL_DEPS) -lm
endef
$(foreach t,$(TOOLS),$(eval $(call TOOL_RULE,$(t))))

# The front command only finds a tool and execs it, so what `nk TOOL` costs
# is one exec: it is libc alone, linked statically. With musl (musl-gcc,
# from musl-tools) a static executable starts in 5 page faults where
# glibc's static start-up takes 25 (0.4 against 1.1 ms of CPU here,
# docs/BENCHMARKS.md); it is not PIE, which costs musl 15 more (the front
# reads nothing but its arguments and PATH). Without musl-gcc, and in a
# sanitizer build, it is built like the tools, as a static PIE when it can.
# FRONT_CC=$(CC) forces the glibc build.
FRONT_CC   ?= $(if $(filter 1,$(SANITIZE)),$(CC),$(shell command -v musl-gcc 2>/dev/null || echo $(CC)))
FRONT_MUSL := $(if $(findstring musl-gcc,$(FRONT_CC)),1)
NK_STATIC  := $(if $(filter 1,$(SANITIZE)),,$(if $(FRONT_MUSL),-static -no-pie,-static-pie))
# The library versions `nk --version` names (the front includes no
# header of theirs: musl builds cannot).
FRONT_VERSIONS := -DNK_BUILT_OPENSSL='"$(shell $(PKG_CONFIG) --modversion openssl 2>/dev/null)"' \
                  -DNK_BUILT_ZLIB='"$(shell $(PKG_CONFIG) --modversion zlib 2>/dev/null)"'
$(B)/bin/nk: cmd/nk/main.c include/nk/defs.h
	@mkdir -p $(@D)
	$(say) LD $@
	$(Q)$(FRONT_CC) -std=gnu11 $(WARN) $(if $(FRONT_MUSL),,$(SAN_LDFLAGS) $(filter -fsanitize%,$(BASE_CFLAGS))) \
		-Iinclude -DNK_LIBEXECDIR='"$(LIBEXECDIR)"' $(FRONT_VERSIONS) \
		$(CFLAGS) $(NK_STATIC) $(LDFLAGS) -o $@ cmd/nk/main.c

$(B)/bin/nk-https: $(B)/bin/nk-http
	$(Q)ln -sf nk-http $@

# test_config builds nk-http's config.c, vars.c and data.c in, which name
# cmd/common's headers.
$(B)/obj/tests/unit/test_config.o: BASE_CFLAGS += -Icmd/common

$(B)/tests/%: $(B)/obj/tests/unit/%.o $(LIB_A)
	@mkdir -p $(@D)
	$(say) LD $@
	$(Q)$(CC) $(SAN_LDFLAGS) $(LDFLAGS) -o $@ $(filter %.o,$^) $(filter %.a,$^) -lcmocka $(LIB_DEPS) -lm
# The decoder's tests make br bodies with the encoder, which libnk lacks.
$(B)/tests/test_decode: LIB_DEPS += $(BRENC_LIBS)
# A unit test of a tool's pure function links that tool's file too.
$(B)/tests/test_glob: $(B)/obj/cmd/http/glob.o
$(B)/tests/test_config: $(B)/obj/cmd/http/lines.o
$(B)/tests/test_pool: $(B)/obj/cmd/tls/pool.o
# test_tls_start checks what OpenSSL loads at start-up and when, which
# depends on OpenSSL being linked in as the tools have it.
$(B)/tests/test_tls_start: LIB_DEPS := $(TOOL_DEPS)
$(B)/tests/test_regress_starttls: $(B)/obj/cmd/tls/starttls_io.o \
	$(B)/obj/cmd/tls/starttls_text.o $(B)/obj/cmd/tls/starttls_bin.o

deps:
	@scripts/deps.sh

# make check runs every suite twice, against the normal build and against an
# AddressSanitizer+UBSan build ($(SAN_DIR)), then every fuzz target for
# CHECK_FUZZ_SECONDS, then `make bench-quick` and `make lint` as one test
# each; all are counted in one "N passed, M failed" line. CHECK_SAN=0,
# CHECK_FUZZ=0, CHECK_BENCH=0 or CHECK_LINT=0 leave a part out;
# `make check SANITIZE=1`
# runs the suite against the sanitizer build alone. Each fuzz target gets
# 6 s in check (21 targets: about 2 minutes; every seed and saved crash is
# replayed first), enough to catch a target that breaks; `make fuzz` is for
# real fuzzing.
SAN_DIR            ?= build-san
CHECK_SAN          ?= 1
CHECK_FUZZ         ?= 1
CHECK_FUZZ_SECONDS ?= 6
CHECK_LINT         ?= 1
CHECK_BENCH        ?= 1
CHECK_WITH_SAN     := $(if $(filter 1,$(SANITIZE)),,$(filter 1,$(CHECK_SAN)))
check: deps
	$(MAKE) tests
	$(if $(CHECK_WITH_SAN),$(MAKE) SANITIZE=1 B=$(SAN_DIR) tests)
	$(if $(filter 1,$(CHECK_FUZZ)),$(MAKE) fuzz-build)
	$(if $(filter 1,$(CHECK_BENCH)),$(MAKE) bench-build)
	@B=$(B) $(if $(CHECK_WITH_SAN),SAN_B=$(SAN_DIR)) \
		$(if $(filter 1,$(CHECK_FUZZ)),FUZZ_B=$(B)/fuzz FUZZ_SECONDS=$(CHECK_FUZZ_SECONDS)) \
		LINT=$(CHECK_LINT) BENCH=$(CHECK_BENCH) tests/run.sh

demo: deps
	$(MAKE) all
	@B=$(B) scripts/demo.sh

clean:
	rm -rf $(B)

-include $(shell find $(B)/obj -name '*.d' 2>/dev/null)

# ---------------------------------------------------------------------------
# Manual pages, shell completions, installation and examples.
#
# Layout: `nk` and every nk-TOOL go into BINDIR (TOOLDIR), so a tool can be
# run and completed as nk-TOOL, and the front command finds its tools next to
# itself even when the installed tree is moved. TOOLDIR=$(LIBEXECDIR) gives a
# git-style layout instead (only `nk` on PATH): nk then finds its tools
# through the LIBEXECDIR compiled into it, so build with the same PREFIX.
TOOLDIR      ?= $(BINDIR)
DATADIR      ?= $(PREFIX)/share
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
BASHCOMPDIR  ?= $(DATADIR)/bash-completion/completions
ZSHCOMPDIR   ?= $(DATADIR)/zsh/site-functions
FISHCOMPDIR  ?= $(DATADIR)/fish/vendor_completions.d
INSTALL      ?= install
SCDOC        ?= scdoc

.PHONY: man completions examples

# Every command: nk-https is nk-http under the name that defaults to https.
CMD_NAMES := $(TOOLS) $(if $(filter http,$(TOOLS)),https)
CMD_BINS  := $(CMD_NAMES:%=$(B)/bin/nk-%)

# Shell completions, generated from each tool's --nk-options dump so that
# they always offer exactly the options the tools accept.
COMPLETIONS := $(B)/completions/nk.bash $(B)/completions/_nk $(B)/completions/nk.fish
completions: $(COMPLETIONS)
$(COMPLETIONS) &: scripts/gen-completions.sh completions/nk.bash.in \
		completions/_nk.in completions/nk.fish.in $(CMD_BINS)
	$(say) GEN $(B)/completions
	$(Q)scripts/gen-completions.sh $(B)/completions completions $(CMD_BINS)

# Manual pages from scdoc sources docs/NAME.SECTION.scd into
# $(B)/man/manSECTION/NAME.SECTION, so `man -M $(B)/man nk` reads them.
# Besides the pages: nk-https(1) points at nk-http(1), and each function of
# the library at the page of its header (nk_url_parse(3) -> nk_url(3);
# the functions of nk/defs.h are in libnk(3)).
MAN_SRCS  := $(sort $(wildcard docs/*.[1-9].scd))
MAN_PAGES := $(foreach f,$(MAN_SRCS),$(B)/man/man$(subst .,,$(suffix $(basename $(f))))/$(notdir $(basename $(f))))
man_page_of = $(if $(filter defs,$(1)),libnk,nk_$(1))
MAN_API   := $(shell scripts/api-names.sh include/nk/*.h 2>/dev/null | \
	sed -n 's|^include/nk/\([a-z0-9_]*\)\.h \(.*\)|\1:\2|p')
# func:page pairs for the functions whose header has a page
man_func_link = $(if $(filter-out $(2),$(1)),$(if $(wildcard docs/$(2).3.scd),$(1):$(2)))
MAN_FUNCS := $(foreach a,$(MAN_API),$(call man_func_link,$(word 2,$(subst :, ,$(a))),$(call man_page_of,$(word 1,$(subst :, ,$(a))))))
MAN_LINKS := $(foreach p,$(MAN_FUNCS),$(B)/man/man3/$(word 1,$(subst :, ,$(p))).3) \
	$(if $(filter http,$(TOOLS)),$(if $(wildcard docs/nk-http.1.scd),$(B)/man/man1/nk-https.1))
# Without scdoc, `make` builds everything else and says in one line that
# the pages were skipped (README: `make` builds); `make man` still needs it.
HAVE_SCDOC := $(shell command -v '$(SCDOC)' >/dev/null 2>&1 && echo yes)
.PHONY: man-skipped
all: $(if $(HAVE_SCDOC),man,man-skipped)
man-skipped:
	@echo "note: $(SCDOC) not found: manual pages not built (install scdoc, or make SCDOC=/path/to/scdoc)"
man: $(MAN_PAGES) $(MAN_LINKS)
	@# pages of removed sources or functions must not linger
	$(Q)for f in $(B)/man/man*/*; do \
		case " $(MAN_PAGES) $(MAN_LINKS) " in \
		*" $$f "*) ;; *) rm -f "$$f" ;; esac; \
	done

# The pages carry the date of the last commit to docs/, not of the build.
MAN_EPOCH := $(shell git log -1 --format=%ct -- docs 2>/dev/null)
define MAN_RULE
$(B)/man/man$(1)/%.$(1): docs/%.$(1).scd
	@mkdir -p $$(@D)
	$$(say) SCDOC $$<
	$$(Q)$(if $(MAN_EPOCH),SOURCE_DATE_EPOCH=$(MAN_EPOCH)) $$(SCDOC) <$$< >$$@.tmp
	$$(Q)mv $$@.tmp $$@
endef
$(foreach s,1 3 5 7,$(eval $(call MAN_RULE,$(s))))

$(B)/man/man1/nk-https.1:
	@mkdir -p $(@D)
	$(Q)echo '.so man1/nk-http.1' >$@
define MAN_LINK_RULE
$(B)/man/man3/$(word 1,$(subst :, ,$(1))).3:
	@mkdir -p $$(@D)
	$$(Q)echo '.so man3/$(word 2,$(subst :, ,$(1))).3' >$$@
endef
$(foreach p,$(MAN_FUNCS),$(eval $(call MAN_LINK_RULE,$(p))))

# Examples against the build tree; the install test builds them again
# against an installed tree with nothing but pkg-config.
EXAMPLE_SRCS := $(sort $(wildcard examples/*.c))
EXAMPLE_BINS := $(EXAMPLE_SRCS:examples/%.c=$(B)/examples/%)
examples: $(EXAMPLE_BINS)
# tests/cli/http_upload.bats runs examples/post_json.
tests: $(EXAMPLE_BINS)
$(B)/examples/%: examples/%.c $(LIB_SO) $(wildcard include/nk/*.h)
	@mkdir -p $(@D)
	$(say) CC $<
	$(Q)$(CC) -std=c11 -Wall -Wextra -Werror -Iinclude $(CFLAGS) -o $@ $< \
		$(SAN_LDFLAGS) -L$(B)/lib -lnk -Wl,-rpath,$(abspath $(B)/lib)

# install: what is installed, uninstall removes again, file by file.
# The .pc file is written here, not at build time, so that it always names
# the directories of this installation.
INST_HEADERS := $(notdir $(wildcard include/nk/*.h))
INST_MAN1 := $(filter $(B)/man/man1/%,$(MAN_PAGES) $(MAN_LINKS))
INST_MAN3 := $(filter $(B)/man/man3/%,$(MAN_PAGES) $(MAN_LINKS))
INST_MAN7 := $(filter $(B)/man/man7/%,$(MAN_PAGES) $(MAN_LINKS))
PC_LIBDIR := $(patsubst $(PREFIX)/%,$${prefix}/%,$(LIBDIR))
PC_INCDIR := $(patsubst $(PREFIX)/%,$${prefix}/%,$(INCLUDEDIR))

install: all
	$(say) INSTALL $(DESTDIR)$(PREFIX)
	$(Q)$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(TOOLDIR) \
		$(DESTDIR)$(LIBDIR) $(DESTDIR)$(PKGCONFIGDIR) \
		$(DESTDIR)$(INCLUDEDIR)/nk $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(MANDIR)/man3 $(DESTDIR)$(BASHCOMPDIR) \
		$(DESTDIR)$(ZSHCOMPDIR) $(DESTDIR)$(FISHCOMPDIR)
	$(Q)$(INSTALL) -m 0755 $(B)/bin/nk $(DESTDIR)$(BINDIR)/nk
	$(Q)$(INSTALL) -m 0755 $(TOOL_BINS) $(DESTDIR)$(TOOLDIR)/
	$(Q)$(if $(filter https,$(CMD_NAMES)),ln -sf nk-http $(DESTDIR)$(TOOLDIR)/nk-https)
	$(Q)$(INSTALL) -m 0644 $(LIB_SO) $(DESTDIR)$(LIBDIR)/libnk.so.$(VERSION)
	$(Q)ln -sf libnk.so.$(VERSION) $(DESTDIR)$(LIBDIR)/$(SONAME)
	$(Q)ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libnk.so
	$(Q)$(INSTALL) -m 0644 $(LIB_A) $(DESTDIR)$(LIBDIR)/libnk.a
	$(Q)sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(PC_LIBDIR)|' \
		-e 's|@INCLUDEDIR@|$(PC_INCDIR)|' -e 's|@VERSION@|$(VERSION)|' \
		nk.pc.in >$(DESTDIR)$(PKGCONFIGDIR)/nk.pc
	$(Q)chmod 0644 $(DESTDIR)$(PKGCONFIGDIR)/nk.pc
	$(Q)$(INSTALL) -m 0644 $(addprefix include/nk/,$(INST_HEADERS)) $(DESTDIR)$(INCLUDEDIR)/nk/
	$(Q)$(if $(HAVE_SCDOC),$(INSTALL) -m 0644 $(INST_MAN1) $(DESTDIR)$(MANDIR)/man1/)
	$(Q)$(if $(HAVE_SCDOC),$(INSTALL) -m 0644 $(INST_MAN3) $(DESTDIR)$(MANDIR)/man3/)
	$(Q)$(if $(and $(HAVE_SCDOC),$(INST_MAN7)),$(INSTALL) -d $(DESTDIR)$(MANDIR)/man7 && \
		$(INSTALL) -m 0644 $(INST_MAN7) $(DESTDIR)$(MANDIR)/man7/)
	$(Q)$(INSTALL) -m 0644 $(B)/completions/nk.bash $(DESTDIR)$(BASHCOMPDIR)/nk
	$(Q)$(INSTALL) -m 0644 $(B)/completions/_nk $(DESTDIR)$(ZSHCOMPDIR)/_nk
	$(Q)$(INSTALL) -m 0644 $(B)/completions/nk.fish $(DESTDIR)$(FISHCOMPDIR)/nk.fish
	$(Q)for c in $(CMD_NAMES); do \
		ln -sf nk $(DESTDIR)$(BASHCOMPDIR)/nk-$$c && \
		ln -sf nk.fish $(DESTDIR)$(FISHCOMPDIR)/nk-$$c.fish || exit 1; \
	done
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ] && \
	    command -v ldconfig >/dev/null 2>&1; then ldconfig; fi

uninstall:
	$(say) UNINSTALL $(DESTDIR)$(PREFIX)
	$(Q)rm -f $(DESTDIR)$(BINDIR)/nk $(CMD_NAMES:%=$(DESTDIR)$(TOOLDIR)/nk-%)
	$(Q)rm -f $(DESTDIR)$(LIBDIR)/libnk.so.$(VERSION) \
		$(DESTDIR)$(LIBDIR)/$(SONAME) $(DESTDIR)$(LIBDIR)/libnk.so \
		$(DESTDIR)$(LIBDIR)/libnk.a $(DESTDIR)$(PKGCONFIGDIR)/nk.pc
	$(Q)rm -f $(addprefix $(DESTDIR)$(INCLUDEDIR)/nk/,$(INST_HEADERS))
	-$(Q)rmdir $(DESTDIR)$(INCLUDEDIR)/nk 2>/dev/null
	$(Q)rm -f $(addprefix $(DESTDIR)$(MANDIR)/man1/,$(notdir $(INST_MAN1))) \
		$(addprefix $(DESTDIR)$(MANDIR)/man3/,$(notdir $(INST_MAN3))) \
		$(addprefix $(DESTDIR)$(MANDIR)/man7/,$(notdir $(INST_MAN7)))
	$(Q)rm -f $(DESTDIR)$(BASHCOMPDIR)/nk $(CMD_NAMES:%=$(DESTDIR)$(BASHCOMPDIR)/nk-%) \
		$(DESTDIR)$(ZSHCOMPDIR)/_nk $(DESTDIR)$(FISHCOMPDIR)/nk.fish \
		$(CMD_NAMES:%=$(DESTDIR)$(FISHCOMPDIR)/nk-%.fish)

# ---------------------------------------------------------------------------
# Benchmarks (issue 8, docs/BENCHMARKS.md). `make bench` runs nk and curl
# (and wget) side by side against an nginx that bench/run starts on
# 127.0.0.1, plus the parser micro-benchmarks, and prints one table.
# `make bench-quick` (or BENCH_QUICK=1) does every workload with few rounds
# and 10 MiB in place of 1 GiB, to prove the harness works (CI runs it; no
# thresholds). BENCH_ARGS passes options on: --only REGEX, --rounds N,
# --clients nk,curl, --help. The files served are made once and kept in
# $(B)/bench-cache.
BENCH_PYTHON ?= $(if $(wildcard /usr/bin/python3),/usr/bin/python3,python3)
BENCH_MICRO  := $(patsubst bench/%.c,$(B)/bench/%,$(wildcard bench/micro_*.c))
BENCH_STATIC := $(B)/bench/spawn $(B)/bench/empty
BENCH_DATA   := $(B)/bench/urltestdata.txt
# kept, so that a second `make bench` relinks nothing
.SECONDARY: $(BENCH_MICRO:$(B)/bench/%=$(B)/obj/bench/%.o)

.PHONY: bench bench-quick bench-build
bench-build: all $(BENCH_MICRO) $(BENCH_STATIC) $(BENCH_DATA)

bench: bench-build
	$(Q)$(BENCH_PYTHON) bench/run --build $(B) $(if $(filter 1,$(BENCH_QUICK)),--quick) $(BENCH_ARGS)

bench-quick: bench-build
	$(Q)$(BENCH_PYTHON) bench/run --build $(B) --quick $(BENCH_ARGS)

$(B)/obj/bench/%.o: bench/%.c
	@mkdir -p $(@D)
	$(say) CC $<
	$(Q)$(CC) $(BASE_CFLAGS) -Ilib $(CFLAGS) -c -o $@ $<

$(B)/bench/micro_%: $(B)/obj/bench/micro_%.o $(LIB_A)
	@mkdir -p $(@D)
	$(say) LD $@
	$(Q)$(CC) $(SAN_LDFLAGS) $(LDFLAGS) -o $@ $^ $(LIB_DEPS) -lm

# Static and without sanitizers whatever the build: see bench/spawn.c.
$(BENCH_STATIC): $(B)/bench/%: bench/%.c
	@mkdir -p $(@D)
	$(say) CC $@
	$(Q)$(CC) -std=gnu11 $(WARN) -D_GNU_SOURCE -O2 -static -o $@ $<

$(BENCH_DATA): tests/data/urltestdata.json bench/urltestdata.py
	@mkdir -p $(@D)
	$(say) GEN $@
	$(Q)$(BENCH_PYTHON) bench/urltestdata.py $< $@

# libFuzzer targets: make fuzz, fuzz-check, fuzz-replay (see tests/fuzz/fuzz.mk).
include tests/fuzz/fuzz.mk
$(FUZZ_B)/bin/fuzz_decode: LIB_DEPS += $(BRENC_LIBS)

# ---------------------------------------------------------------------------
# Analysis (issue 7). `make lint`: cppcheck and clang-tidy over lib/ and
# cmd/ (scripts/lint.sh; the checks and why some are off: .clang-tidy),
# then the architecture rules (scripts/layers.py, docs/DESIGN.md), which
# read the built objects.
# `make valgrind`: the command-line tests with every nk binary under
# valgrind memcheck (scripts/valgrind.sh, which says which suites and
# why); VALGRIND_SUITES=NAME... picks others. Needs a build without
# SANITIZE=1.
VALGRIND_SUITES ?=
.PHONY: lint valgrind
lint: lib tools
	@B=$(B) scripts/lint.sh

valgrind: all
	@B=$(B) scripts/valgrind.sh $(VALGRIND_SUITES)
