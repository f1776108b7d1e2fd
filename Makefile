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
BASE_CFLAGS := -std=gnu11 $(WARN) -D_GNU_SOURCE -Iinclude -Ilib -MMD -MP
ifeq ($(SANITIZE),1)
BASE_CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
SAN_LDFLAGS := -fsanitize=address,undefined
endif
# Library objects are position independent (they go into libnk.so too) and
# export only what NK_API marks.
LIB_CFLAGS := $(BASE_CFLAGS) -fPIC -fvisibility=hidden
TOOL_CFLAGS := $(BASE_CFLAGS) -Icmd/common -DNK_LIBEXECDIR='"$(LIBEXECDIR)"'

SSL_LIBS := $(shell $(PKG_CONFIG) --libs openssl 2>/dev/null || echo -lssl -lcrypto)
Z_LIBS   := $(shell $(PKG_CONFIG) --libs zlib 2>/dev/null || echo -lz)
IDN_LIBS := $(shell $(PKG_CONFIG) --libs libidn2 2>/dev/null || echo -lidn2)
LIB_DEPS := $(SSL_LIBS) $(Z_LIBS) $(IDN_LIBS) -lpthread
ifeq ($(READLINE),edit)
RL_CFLAGS := -DNK_USE_LIBEDIT $(shell $(PKG_CONFIG) --cflags libedit 2>/dev/null)
RL_LIBS   := $(shell $(PKG_CONFIG) --libs libedit 2>/dev/null || echo -ledit)
else
RL_CFLAGS :=
RL_LIBS   := -lreadline
endif
# --as-needed: a tool that never calls OpenSSL does not load it at start-up.
TOOL_LDFLAGS := -Wl,--as-needed $(SAN_LDFLAGS) $(LDFLAGS)

LIB_SRCS    := $(sort $(wildcard lib/*.c))
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
all: lib tools $(B)/bin/nk $(if $(filter http,$(TOOLS)),$(B)/bin/nk-https)

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
	$(Q)$(CC) $(BASE_CFLAGS) $(CFLAGS) -c -o $@ $<

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
	$$(Q)$$(CC) $(TOOL_LDFLAGS) -o $$@ $$^ $(if $(filter telnet,$(1)),$(RL_LIBS)) $(LIB_DEPS) -lm
endef
$(foreach t,$(TOOLS),$(eval $(call TOOL_RULE,$(t))))

# The front command stays tiny: no OpenSSL, no libnk beyond what it calls.
$(B)/bin/nk: $(B)/obj/cmd/nk/main.o $(COMMON_A) $(LIB_A)
	@mkdir -p $(@D)
	$(say) LD $@
	$(Q)$(CC) $(TOOL_LDFLAGS) -o $@ $^ $(LIB_DEPS)

$(B)/bin/nk-https: $(B)/bin/nk-http
	$(Q)ln -sf nk-http $@

$(B)/tests/%: $(B)/obj/tests/unit/%.o $(LIB_A)
	@mkdir -p $(@D)
	$(say) LD $@
	$(Q)$(CC) $(SAN_LDFLAGS) $(LDFLAGS) -o $@ $^ -lcmocka $(LIB_DEPS) -lm

deps:
	@scripts/deps.sh

check: deps
	$(MAKE) tests
	@B=$(B) tests/run.sh

demo: deps
	$(MAKE) all
	@B=$(B) scripts/demo.sh

clean:
	rm -rf $(B)

-include $(shell find $(B)/obj -name '*.d' 2>/dev/null)
