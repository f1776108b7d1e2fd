# libFuzzer targets (tests/fuzz/fuzz_*.c), included by the Makefile.
#
#   make fuzz [FUZZ_SECONDS=60] [FUZZ_TARGETS="fuzz_url ..."]
#       builds every target and runs each, one after the other, for
#       FUZZ_SECONDS; new inputs accumulate in $(B)/fuzz/work/<target>/.
#   make fuzz-check [FUZZ_SECONDS=20]
#       the same, short: one TAP line per target, fails on any crash.
#   make fuzz-replay
#       runs each target once over its seed corpus and saved crashes, no
#       fuzzing (a few seconds): a regression check.
#
# The library is compiled again for the fuzzers, with clang, coverage
# instrumentation, ASan and UBSan, into $(B)/fuzz; the normal objects are
# never mixed in. A target may need sources from a tool too
# (FUZZ_EXTRA_<target>); it is left out when they are missing.

FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_B       := $(B)/fuzz
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all \
                -fno-omit-frame-pointer
FUZZ_CFLAGS  := -std=gnu11 $(WARN) -D_GNU_SOURCE -Iinclude -Ilib -MMD -MP \
                -g -O1 $(FUZZ_SAN) -fsanitize=fuzzer-no-link

# -w is a function of the http tool: its file (and, from the archive of
# cmd/common, the helpers it calls).
FUZZ_EXTRA_fuzz_writeout := cmd/http/writeout.c cmd/http/show.c cmd/http/capture.c
# URL globbing is the http tool's too.
FUZZ_EXTRA_fuzz_glob := cmd/http/glob.c
# The config-file tokenizer and --expand-OPTION are nk-http's.
FUZZ_EXTRA_fuzz_config := cmd/http/config.c cmd/http/lines.c cmd/http/vars.c \
                          cmd/http/data.c
# -J's Content-Disposition names are nk-http's.
FUZZ_EXTRA_fuzz_cd := cmd/http/outname.c
# STARTTLS is nk-tls's.
FUZZ_EXTRA_fuzz_starttls := cmd/tls/starttls.c cmd/tls/starttls_io.c \
                            cmd/tls/starttls_text.c cmd/tls/starttls_bin.c

FUZZ_ALL     := $(patsubst tests/fuzz/%.c,%,$(sort $(wildcard tests/fuzz/fuzz_*.c)))
fuzz_have     = $(if $(strip $(foreach f,$(FUZZ_EXTRA_$(1)),$(if $(wildcard $(f)),,x))),,$(1))
FUZZ_NAMES   := $(strip $(foreach t,$(FUZZ_ALL),$(call fuzz_have,$(t))))
FUZZ_TARGETS ?= $(FUZZ_NAMES)
FUZZ_BINS    := $(FUZZ_TARGETS:%=$(FUZZ_B)/bin/%)
FUZZ_LIB     := $(FUZZ_B)/lib/libnk-fuzz.a
FUZZ_LIB_OBJS := $(LIB_SRCS:%.c=$(FUZZ_B)/obj/%.o)
FUZZ_COMMON  := $(FUZZ_B)/lib/libcommon-fuzz.a
FUZZ_COMMON_OBJS := $(COMMON_SRCS:%.c=$(FUZZ_B)/obj/%.o)

.PHONY: fuzz fuzz-build fuzz-check fuzz-replay

fuzz-build: $(FUZZ_BINS)

fuzz: fuzz-build
	@FUZZ_B=$(FUZZ_B) tests/fuzz/run.sh -t $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# Short enough for CI: 20 s a target unless FUZZ_SECONDS is given.
fuzz-check: fuzz-build
	@FUZZ_B=$(FUZZ_B) tests/fuzz/run.sh \
		-t $(if $(filter command line environment,$(origin FUZZ_SECONDS)),$(FUZZ_SECONDS),20) \
		$(FUZZ_TARGETS)

fuzz-replay: fuzz-build
	@FUZZ_B=$(FUZZ_B) tests/fuzz/run.sh -t 0 $(FUZZ_TARGETS)

$(FUZZ_B)/obj/lib/%.o: lib/%.c
	@mkdir -p $(@D)
	$(say) FUZZCC $<
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -c -o $@ $<

$(FUZZ_B)/obj/cmd/%.o: cmd/%.c
	@mkdir -p $(@D)
	$(say) FUZZCC $<
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -Icmd/common -c -o $@ $<

$(FUZZ_B)/obj/tests/fuzz/%.o: tests/fuzz/%.c
	@mkdir -p $(@D)
	$(say) FUZZCC $<
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -Icmd/common -Icmd/http -Icmd/tls -c -o $@ $<

# keep the objects of the targets: make would delete them as intermediate
.SECONDARY: $(FUZZ_ALL:%=$(FUZZ_B)/obj/tests/fuzz/%.o)

$(FUZZ_LIB): $(FUZZ_LIB_OBJS)
	@mkdir -p $(@D)
	$(say) AR $@
	$(Q)rm -f $@ && ar rcs $@ $^

$(FUZZ_COMMON): $(FUZZ_COMMON_OBJS)
	@mkdir -p $(@D)
	$(say) AR $@
	$(Q)rm -f $@ && ar rcs $@ $^

$(foreach t,$(FUZZ_NAMES),$(eval $(FUZZ_B)/bin/$(t): \
	$(patsubst %.c,$(FUZZ_B)/obj/%.o,$(FUZZ_EXTRA_$(t)))))

$(FUZZ_B)/bin/%: $(FUZZ_B)/obj/tests/fuzz/%.o $(FUZZ_LIB) $(FUZZ_COMMON)
	@mkdir -p $(@D)
	$(say) LD $@
	$(Q)$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $(filter %.o,$^) \
		$(FUZZ_COMMON) $(FUZZ_LIB) $(LIB_DEPS) -lm

-include $(shell find $(FUZZ_B)/obj -name '*.d' 2>/dev/null)
