# bootlens — build, tests, demo, install.
#
#   make            build build/bootlens
#   make demo       install missing Debian packages, build, analyze the bundled sample hive
#   make check      every test: unit (CMocka), end-to-end, SARIF validation, JSON schemas, the hostile
#                   corpus, ASan+UBSan runs, fuzz smoke runs, the Debian package (built, linted,
#                   installed in a scratch root and run)
#   make deb        the Debian package, build/deb/bootlens_VERSION_ARCH.deb
#   make bench      benchmark analyze on real hives and worst cases, and lint against 200 baselines
#   make install    PREFIX=/usr/local (DESTDIR honoured)
#
# Sources are found by wildcard: one module per folder under src/, the CLI in
# src/cli/, one unit test per module in tests/unit/test_<module>.c, one fuzz
# target per parser in fuzz/fuzz_<name>.c.

PREFIX ?= /usr/local
DESTDIR ?=
CC ?= cc
FUZZ_CC ?= clang
PKG_CONFIG ?= pkg-config
SHARED ?= ../shared
FUZZ_SECONDS ?= 10
PYTHON ?= python3
# Known-slow hostile cases (tests/hostile/known-slow.txt) are stopped after this long.
HOSTILE_SLOW_CAP ?= 5

PKGS := libregf libbfio libcjson nettle libdeflate libvhdi libvmdk libqcow libfsntfs
DEP_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
DEP_LIBS := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null) -lpthread
CMOCKA_LIBS := $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null)

WARN := -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion
BASE_CFLAGS := -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Iinclude -Ibuild/gen $(WARN) $(DEP_CFLAGS)
CFLAGS ?= -O2 -g
# CPPFLAGS and LDFLAGS are the caller's (dpkg-buildflags' hardening in a
# package build); empty by default.
ALL_CFLAGS := $(BASE_CFLAGS) $(CPPFLAGS) $(CFLAGS)
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

LIB_SRC := $(sort $(filter-out src/cli/%,$(wildcard src/*/*.c)))
CLI_SRC := $(sort $(wildcard src/cli/*.c))
TEST_SRC := $(sort $(wildcard tests/unit/test_*.c))
FUZZ_SRC := $(sort $(wildcard fuzz/fuzz_*.c))
GEN_SRC := $(patsubst data/%.txt,build/gen/%_data.c,$(wildcard data/*.txt))

OBJ_DIR := build/obj
SAN_DIR := build/asan
LIB_OBJ := $(LIB_SRC:%.c=$(OBJ_DIR)/%.o) $(GEN_SRC:build/gen/%.c=$(OBJ_DIR)/gen/%.o)
CLI_OBJ := $(CLI_SRC:%.c=$(OBJ_DIR)/%.o)
SAN_LIB_OBJ := $(LIB_SRC:%.c=$(SAN_DIR)/%.o) $(GEN_SRC:build/gen/%.c=$(SAN_DIR)/gen/%.o)
SAN_CLI_OBJ := $(CLI_SRC:%.c=$(SAN_DIR)/%.o)

# Generated sources are kept (make would delete them as intermediates).
.SECONDARY: $(GEN_SRC)

LIB := build/libbootlens.a
SAN_LIB := build/asan/libbootlens.a
BIN := build/bootlens
SAN_BIN := build/asan/bootlens
MKHIVE := build/mkhive
TESTS := $(TEST_SRC:tests/unit/%.c=build/tests/%)
SAN_TESTS := $(TEST_SRC:tests/unit/%.c=build/asan/tests/%)
FUZZERS := $(FUZZ_SRC:fuzz/%.c=build/fuzz/%)

.PHONY: all deps deb-deps demo check check-package deb deb-check unit e2e sarif schemas hostile asan tsan fuzz \
	fuzz-smoke fuzz-long bench install uninstall clean format hives
all: $(BIN) $(MKHIVE) build/bootlens.1 build/bootlens.bash

# The man page and the bash completion come from the option table itself.
build/bootlens.1: $(BIN)
	$(BIN) --man > $@
build/bootlens.bash: $(BIN)
	$(BIN) --completion bash > $@

deps:
	@scripts/install-deps.sh

# ---- data files (knowledge, altitude table) compiled in ----
# data/NAME.txt becomes `const char bl_builtin_NAME[]`.
build/gen/%_data.c: data/%.txt scripts/embed.sh
	@mkdir -p $(@D)
	scripts/embed.sh bl_builtin_$* $< > $@

# ---- normal build ----
$(OBJ_DIR)/gen/%.o: build/gen/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c $< -o $@
$(OBJ_DIR)/%.o: %.c $(wildcard include/bootlens/*.h) $(wildcard src/*/*.h)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c $< -o $@
$(LIB): $(LIB_OBJ)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^
$(BIN): $(CLI_OBJ) $(LIB)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(CLI_OBJ) $(LIB) $(DEP_LIBS)
$(MKHIVE): tools/mkhive.c $(LIB)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(DEP_LIBS)
build/tests/%: tests/unit/%.c tests/unit/testutil.h $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -Itests/unit -o $@ $< $(LIB) $(DEP_LIBS) $(CMOCKA_LIBS)

# ---- sanitizer build (ASan + UBSan) ----
$(SAN_DIR)/gen/%.o: build/gen/%.c
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) -O1 -g $(SAN_FLAGS) -c $< -o $@
$(SAN_DIR)/%.o: %.c $(wildcard include/bootlens/*.h) $(wildcard src/*/*.h)
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) -O1 -g $(SAN_FLAGS) -c $< -o $@
$(SAN_LIB): $(SAN_LIB_OBJ)
	rm -f $@ && ar rcs $@ $^
$(SAN_BIN): $(SAN_CLI_OBJ) $(SAN_LIB)
	$(CC) $(BASE_CFLAGS) -O1 -g $(SAN_FLAGS) -o $@ $(SAN_CLI_OBJ) $(SAN_LIB) $(DEP_LIBS)
build/asan/tests/%: tests/unit/%.c tests/unit/testutil.h $(SAN_LIB)
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) -O1 -g $(SAN_FLAGS) -Itests/unit -o $@ $< $(SAN_LIB) $(DEP_LIBS) $(CMOCKA_LIBS)

# ---- fuzzing (clang libFuzzer): the library is instrumented once ----
FUZZ_FLAGS := -O1 -g -fsanitize=address,undefined
FUZZ_DIR := build/fuzzobj
FUZZ_LIB_OBJ := $(LIB_SRC:%.c=$(FUZZ_DIR)/%.o) $(GEN_SRC:build/gen/%.c=$(FUZZ_DIR)/gen/%.o)
FUZZ_LIB := build/fuzz/libbootlens-fuzz.a
$(FUZZ_DIR)/gen/%.o: build/gen/%.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(BASE_CFLAGS) -Wno-conversion $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -c $< -o $@
$(FUZZ_DIR)/%.o: %.c $(wildcard include/bootlens/*.h) $(wildcard src/*/*.h)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(BASE_CFLAGS) -Wno-conversion $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -c $< -o $@
$(FUZZ_LIB): $(FUZZ_LIB_OBJ)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^
build/fuzz/%: fuzz/%.c $(FUZZ_LIB)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(BASE_CFLAGS) -Wno-conversion $(FUZZ_FLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_LIB) $(DEP_LIBS)

# ---- test tools for the disk-image tests (tests/images/run.sh) ----
# ntfsput writes files into an NTFS volume image through libntfs-3g (no
# FUSE mount); mkdirty makes a dirty hive with its logs from a clean one.
IMG_TOOLS := build/tests/ntfsput build/tests/mkdirty
build/tests/ntfsput: tests/images/ntfsput.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(shell $(PKG_CONFIG) --cflags --libs libntfs-3g 2>/dev/null)
build/tests/mkdirty: tests/images/mkdirty.c $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(DEP_LIBS)

# ---- test hives generated from readable sources ----
hives: $(MKHIVE)
	@tests/gen-hives.sh

# ---- the two README commands ----
demo: deps
	$(MAKE) all
	@tests/gen-hives.sh >/dev/null
	@echo '$$ bootlens analyze build/test_hives/vmci-filter-delay.hiv'
	@$(BIN) analyze build/test_hives/vmci-filter-delay.hiv; status=$$?; \
	  echo; echo "(exit status $$status: 1 means findings at or above --fail-on error)"

check: deps
	$(MAKE) all
	$(MAKE) unit
	$(MAKE) e2e
	$(MAKE) sarif
	$(MAKE) hostile
	$(MAKE) schemas
	$(MAKE) asan
	$(MAKE) tsan
	$(MAKE) fuzz-smoke
	$(MAKE) deb-check
	@echo "make check: all passed"

# What a package build runs (debian/rules' dh_auto_test): the tests that
# need no network, browser or ../shared (those parts skip, saying so) — the
# unit tests, the end-to-end cases (disk images included), the JSON schemas.
# Not the sanitizer, TSan and fuzz builds (clang, and nothing of what is
# shipped), nor the pictures (Graphviz, headless Chromium).
check-package: all $(TESTS) $(IMG_TOOLS)
	@tests/gen-hives.sh >/dev/null
	@tests/run-unit.sh $(TESTS)
	@BOOTLENS=$(BIN) SHARED=$(SHARED) tests/e2e/run.sh
	@BOOTLENS=$(BIN) SHARED=$(SHARED) tests/schemas.sh

# The Debian package (debian/), built from a copy of the checkout's files
# in build/deb (dpkg-buildpackage writes beside the source tree): build/deb/
# bootlens_VERSION_ARCH.deb.  deb-check also lints it and installs it into a
# scratch root (tests/deb.sh); deb-deps installs debhelper and lintian.
deb-deps:
	@scripts/install-deps.sh --deb
deb:
	@scripts/deb.sh
deb-check: deb-deps $(MKHIVE)
	@tests/gen-hives.sh >/dev/null
	@tests/deb.sh

# Some unit tests read generated test hives (build/test_hives).
unit: $(TESTS) $(MKHIVE)
	@tests/gen-hives.sh >/dev/null
	@tests/run-unit.sh $(TESTS)

e2e: $(BIN) $(MKHIVE) $(IMG_TOOLS)
	@tests/gen-hives.sh >/dev/null
	@BOOTLENS=$(BIN) SHARED=$(SHARED) tests/e2e/run.sh
	@BOOTLENS=$(BIN) MKHIVE=$(MKHIVE) tests/pictures.sh

# Every command's JSON (test hives, images, ../shared's real hives, the e2e
# goldens) against schemas/, with python3-jsonschema (tests/schemas.sh).
schemas: $(BIN) $(MKHIVE) build/tests/mkdirty
	@tests/gen-hives.sh >/dev/null
	@BOOTLENS=$(BIN) SHARED=$(SHARED) tests/schemas.sh

asan: $(SAN_BIN) $(SAN_TESTS) $(MKHIVE) $(IMG_TOOLS)
	@tests/gen-hives.sh >/dev/null
	@ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp UBSAN_OPTIONS=print_stacktrace=1 tests/run-unit.sh $(SAN_TESTS)
	@ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp BOOTLENS=$(SAN_BIN) SHARED=$(SHARED) tests/e2e/run.sh

# Every SARIF log (goldens and fresh ones) against the OASIS schema and
# Microsoft's validator (tests/sarif.sh; the validator comes from `make deps`).
sarif: $(BIN) $(MKHIVE)
	@tests/gen-hives.sh >/dev/null
	@BOOTLENS=$(BIN) SHARED=$(SHARED) tests/sarif.sh

# The hostile corpus (tests/hostile): generated worst cases, each under a
# time, memory and address-space limit, inputs hashed before and after.  On
# the normal build: ASan needs a huge address space.
hostile: $(BIN) $(MKHIVE)
	@$(PYTHON) tests/hostile/run.py --bootlens $(BIN) --slow-cap $(HOSTILE_SLOW_CAP)

# ThreadSanitizer on the batch runner (a process per hive since issue 12: this
# now guards the library code it runs, e.g. rules.c's pthread_once, and the
# fork-and-poll loop itself), and the fleet lint's worker threads.
TSAN_BIN := build/tsan/bootlens
$(TSAN_BIN): $(LIB_SRC) $(CLI_SRC) $(GEN_SRC) $(wildcard include/bootlens/*.h)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(BASE_CFLAGS) -Wno-conversion -O1 -g -fsanitize=thread -o $@ $(LIB_SRC) $(CLI_SRC) $(GEN_SRC) $(DEP_LIBS)
tsan: $(TSAN_BIN) $(MKHIVE)
	@tests/gen-hives.sh >/dev/null
	@BOOTLENS=$(TSAN_BIN) tests/batch.sh
	@BOOTLENS=$(TSAN_BIN) tests/lint-fleet.sh

fuzz: $(FUZZERS)

fuzz-smoke: $(FUZZERS) $(MKHIVE) $(IMG_TOOLS)
	@tests/gen-hives.sh >/dev/null
	@FUZZ_SECONDS=$(FUZZ_SECONDS) SHARED=$(SHARED) tests/fuzz-smoke.sh $(FUZZERS)

# A fuzzing campaign: every target for FUZZ_LONG_SECONDS (default an hour),
# FUZZ_JOBS at a time, seeded with the hostile corpus as well
# (tests/hostile/gen.py); results in build/fuzz-long/NAME/ (log, corpus,
# reproducers).  Not part of make check.
FUZZ_LONG_SECONDS ?= 3600
FUZZ_JOBS ?= 2
fuzz-long: $(FUZZERS) $(MKHIVE) $(IMG_TOOLS)
	@tests/gen-hives.sh >/dev/null
	@rm -rf build/hostile-seeds && $(PYTHON) tests/hostile/gen.py build/hostile-seeds >/dev/null
	@printf '%s\n' $(FUZZERS) | xargs -P $(FUZZ_JOBS) -I{} env FUZZ_SECONDS=$(FUZZ_LONG_SECONDS) \
	  FUZZ_HOSTILE=build/hostile-seeds FUZZ_WORK=$(CURDIR)/build/fuzz-long SHARED=$(SHARED) tests/fuzz-smoke.sh {}

bench: $(BIN) $(IMG_TOOLS)
	@SHARED=$(SHARED) bench/bench.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/bootlens
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/bootlens
	install -m 644 build/bootlens.1 $(DESTDIR)$(PREFIX)/share/man/man1/bootlens.1
	install -m 644 data/knowledge.txt data/altitudes.txt $(DESTDIR)$(PREFIX)/share/bootlens/
	install -d $(DESTDIR)$(PREFIX)/share/bootlens/schemas
	install -m 644 schemas/*.schema.json $(DESTDIR)$(PREFIX)/share/bootlens/schemas/
	install -d $(DESTDIR)$(PREFIX)/share/bash-completion/completions
	install -m 644 build/bootlens.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/bootlens

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/bootlens $(DESTDIR)$(PREFIX)/share/man/man1/bootlens.1
	rm -rf $(DESTDIR)$(PREFIX)/share/bootlens
	rm -f $(DESTDIR)$(PREFIX)/share/bash-completion/completions/bootlens

format:
	clang-format -i $(LIB_SRC) $(CLI_SRC) $(TEST_SRC) $(FUZZ_SRC) include/bootlens/*.h tools/*.c

clean:
	rm -rf build
