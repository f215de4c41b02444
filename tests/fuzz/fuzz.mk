# Fuzzing (libFuzzer, clang) and sanitized unit tests (ASan + UBSan). See tests/fuzz/README.md.
#
#   make fuzz [FUZZ_SECONDS=N] [FUZZ_TARGETS="cmdline conf"]   each target for N s (default 60)
#   make fuzz-check                  each target briefly over its corpus and regressions (CI)
#   make fuzz-msan-check             the corpus and regressions replayed under MemorySanitizer
#   make asan-check                  every unit test built and run under ASan + UBSan + LSan
#   make fuzz-selftest               shows that a deliberately buggy parser is caught
#
# A target is tests/fuzz/fuzz_<name>.c plus the sources under test, fuzz_<name>_SRCS; its seeds
# are in tests/fuzz/corpus/<name>/, crash regressions in tests/fuzz/regressions/<name>/.
# A target whose sources are not (yet) in the tree is left out.

FUZZ_O := $(O)/fuzz
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_CHECK_SECONDS ?= 5
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
# No -Werror here: clang's warnings differ from gcc's, and `make` (gcc) is where they count.
FUZZ_CFLAGS := $(filter-out -Werror,$(BASE_CFLAGS)) -I. -g -O1 $(FUZZ_SAN) \
	-fsanitize=fuzzer-no-link

fuzz_cmdline_SRCS := initrd/cmdline.c
fuzz_conf_SRCS := initrd/conf.c
fuzz_bootconf_SRCS := initrd/bootconf.c initrd/conf.c initrd/cmdline.c
fuzz_crypttab_SRCS := initrd/crypttab.c initrd/bootconf.c initrd/conf.c initrd/cmdline.c
fuzz_cpiolist_SRCS := initrd/mkimage/cpiolist.c
# mount.c also holds root_mount (libblkid, devices.c, kmod.c): linked as the unit test does.
fuzz_mount_options_SRCS := initrd/mount.c initrd/devices.c initrd/kmod.c initrd/timeline.c $(LIB_SRCS)
fuzz_mount_options_LIBS = $(DEP_LIBS)
fuzz_kconfig_read_SRCS := kconfig/kconfig_read.c kconfig/kconfig_set.c kconfig/fragment.c
fuzz_fragment_SRCS := kconfig/fragment.c kconfig/kconfig_read.c kconfig/kconfig_set.c
fuzz_mergeconfig_SRCS := kconfig/mergeconfig.c
# merge_config.sh's merge is quadratic (a grep over the whole file per fragment line), as is
# this faithful copy: small inputs keep the fuzzer fast.
fuzz_mergeconfig_OPTS := -max_len=3000
fuzz_kconfig_tree_SRCS := kconfig/kconfig_tree.c kconfig/kconfig_set.c
fuzz_kconfig_series_SRCS := kconfig/series.c kconfig/kconfig_cache.c kconfig/kconfig_tree.c \
	kconfig/fragment.c kconfig/kconfig_read.c kconfig/kconfig_set.c
fuzz_logind_conf_SRCS := stage2/logind_conf.c stage2/logind_values.c
fuzz_logind_values_SRCS := stage2/logind_values.c
fuzz_stage2_cmdline_SRCS := stage2/cmdline.c
fuzz_stage2_defaults_SRCS := stage2/defaults.c stage2/cmdline.c stage2/logind_values.c
fuzz_luks_table_SRCS := initrd/luks_decide.c
fuzz_btrfs_super_SRCS := initrd/btrfs_super.c
fuzz_lvm_names_SRCS := initrd/lvm_names.c initrd/bootconf.c initrd/conf.c initrd/cmdline.c
fuzz_unitfile_SRCS := stage2/unitfile.c stage2/confine.c stage2/closure.c stage2/elf.c
fuzz_elf_SRCS := stage2/elf.c

FUZZ_ALL := cmdline conf bootconf crypttab cpiolist mount_options kconfig_read fragment \
	mergeconfig kconfig_tree logind_conf logind_values stage2_cmdline stage2_defaults luks_table \
	lvm_names
FUZZ_ALL += btrfs_super
# initkit-mkimage --host's parsers (host.c links libkmod, libblkid, libdevmapper: the deps)
fuzz_host_SRCS := initrd/mkimage/host.c initrd/lvm_names.c initrd/bootconf.c initrd/conf.c \
	initrd/cmdline.c $(LIB_SRCS)
fuzz_host_LIBS = $(DEP_LIBS)
FUZZ_ALL += host
fuzz_bkeymap_SRCS := initrd/bkeymap.c
fuzz_envfile_SRCS := initrd/envfile.c
FUZZ_ALL += bkeymap envfile
fuzz_timeline_read_SRCS := stage2/timeline_read.c stage2/timeline_plot.c
fuzz_timeline_read_LIBS = -ljson-c
FUZZ_ALL += timeline_read
# TPM2 unlock: the token JSON (json-c) and a lying TPM answering the unseal exchange (tpm2-tss).
fuzz_tpm2_token_SRCS := initrd/tpm2_token.c
fuzz_tpm2_token_LIBS := -ljson-c
fuzz_tpm2_response_SRCS := initrd/tpm2.c initrd/tpm2_token.c
fuzz_tpm2_response_LIBS = $(DEP_LIBS) $(TSS_LIBS)
FUZZ_ALL += tpm2_token tpm2_response
FUZZ_ALL += unitfile elf
FUZZ_ALL += kconfig_series
# The uevent parser and decision (initrd/uevent.c): pure, so MSan replays it too.
fuzz_uevent_SRCS := initrd/uevent.c
FUZZ_ALL += uevent
fuzz_mount_options_SRCS += initrd/uevent.c
# The Kconfig tree cache read on a read-only mapping with a guard page after it (format 2).
fuzz_kconfig_cache_SRCS := kconfig/kconfig_cache.c kconfig/kconfig_tree.c kconfig/kconfig_set.c
FUZZ_ALL += kconfig_cache
fuzz_available = $(and $(wildcard tests/fuzz/fuzz_$(1).c),$(if $(filter-out \
	$(wildcard $(fuzz_$(1)_SRCS)),$(fuzz_$(1)_SRCS)),,yes))
FUZZ_TARGETS ?= $(foreach t,$(FUZZ_ALL),$(if $(call fuzz_available,$(t)),$(t)))
rparen := )
FUZZ_BINS = $(addprefix $(FUZZ_O)/fuzz_,$(FUZZ_TARGETS))

$(FUZZ_O)/.tools: tests/fuzz/deps.sh
	tests/fuzz/deps.sh
	@mkdir -p $(@D) && touch $@

$(FUZZ_O)/obj/%.o: %.c | $(FUZZ_O)/.tools $(DEPS)/.stamp
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(DEP_CFLAGS) -MMD -MP -c $< -o $@

define FUZZ_RULES
$(FUZZ_O)/fuzz_$(1): $(patsubst %.c,$(FUZZ_O)/obj/%.o,tests/fuzz/fuzz_$(1).c $(fuzz_$(1)_SRCS))
	$$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $$@ $$^ $$(fuzz_$(1)_LIBS)
endef
$(foreach t,$(FUZZ_ALL),$(eval $(call FUZZ_RULES,$(t))))

.PHONY: fuzz fuzz-build fuzz-check fuzz-msan-check fuzz-selftest asan-check
fuzz-build: $(FUZZ_BINS)

# fuzz-run MODE: "check" (fresh scratch corpus, FUZZ_CHECK_SECONDS) or "long" (the scratch
# corpus in build/fuzz/corpus/ grows from run to run, FUZZ_SECONDS). Every seed and every
# regression input is executed first; then libFuzzer mutates for the given time. Logs go to
# build/fuzz/logs/<target>.log, crashes to build/fuzz/artifacts/<target>/.
define FUZZ_RUN
	@pass=0; fail=0; \
	for t in $(FUZZ_TARGETS); do \
		work=$(FUZZ_O)/$(if $(filter check,$(1)),check-corpus,corpus)/$$t; \
		$(if $(filter check,$(1)),rm -rf $$work;) \
		mkdir -p $$work $(FUZZ_O)/artifacts/$$t $(FUZZ_O)/logs; \
		log=$(FUZZ_O)/logs/$$t$(if $(filter check,$(1)),-check).log; \
		dirs="$$work"; \
		for d in tests/fuzz/corpus/$$t tests/fuzz/regressions/$$t; do \
			[ -d $$d ] && dirs="$$dirs $$d"; \
		done; \
		opts=; case $$t in $(foreach t,$(FUZZ_ALL),$(if $(fuzz_$(t)_OPTS),$(t)$(rparen) opts="$(fuzz_$(t)_OPTS)";;)) esac; \
		if $(FUZZ_O)/fuzz_$$t -max_total_time=$(2) -timeout=10 -rss_limit_mb=2048 $$opts \
			-print_final_stats=1 -artifact_prefix=$(FUZZ_O)/artifacts/$$t/ \
			$$dirs >$$log 2>&1; then \
			pass=$$((pass + 1)); \
			printf 'fuzz_%-16s ok    %10s execs in %s s, %s corpus inputs\n' $$t \
				"$$(sed -n 's/^stat::number_of_executed_units: *//p' $$log)" $(2) \
				"$$(ls $$work | wc -l)"; \
		else \
			fail=$$((fail + 1)); \
			echo "fuzz_$$t FAILED (log: $$log, inputs: $(FUZZ_O)/artifacts/$$t/)"; \
			grep -m1 -A30 -E '^==[0-9]+==ERROR|runtime error|invariant failed|deadly signal|ERROR: libFuzzer' $$log || tail -30 $$log; \
		fi; \
	done; \
	echo "fuzz: $$pass passed, $$fail failed"; [ $$fail -eq 0 ]
endef

fuzz: $(FUZZ_BINS)
	$(call FUZZ_RUN,long,$(FUZZ_SECONDS))
fuzz-check: $(FUZZ_BINS)
	$(call FUZZ_RUN,check,$(FUZZ_CHECK_SECONDS))

# MemorySanitizer replay: every seed and regression input through an MSan build of each target
# (uninitialised reads are invisible to ASan; one was found this way in stage2/defaults.c).
# Left out, as they link uninstrumented libraries MSan cannot see into: mount_options and host
# (the static deps), timeline_read (Debian's libjson-c.a), tpm2_token and tpm2_response
# (json-c, tpm2-tss).
FUZZ_MSAN := -fsanitize=memory -fsanitize-memory-track-origins -fno-omit-frame-pointer
FUZZ_MSAN_SKIP := mount_options host timeline_read tpm2_token tpm2_response
FUZZ_MSAN_TARGETS = $(filter-out $(FUZZ_MSAN_SKIP),$(FUZZ_TARGETS))
define FUZZ_MSAN_RULES
$(FUZZ_O)/msan/fuzz_$(1): tests/fuzz/fuzz_$(1).c tests/fuzz/fuzz.h $(fuzz_$(1)_SRCS) | $(FUZZ_O)/.tools
	@mkdir -p $$(@D)
	$$(FUZZ_CC) $$(filter-out -Werror,$$(BASE_CFLAGS)) -I. -g -O1 $$(FUZZ_MSAN) -fsanitize=fuzzer \
		-o $$@ tests/fuzz/fuzz_$(1).c $(fuzz_$(1)_SRCS)
endef
$(foreach t,$(filter-out $(FUZZ_MSAN_SKIP),$(FUZZ_ALL)),$(eval $(call FUZZ_MSAN_RULES,$(t))))
fuzz-msan-check: $(addprefix $(FUZZ_O)/msan/fuzz_,$(FUZZ_MSAN_TARGETS))
	@pass=0; fail=0; mkdir -p $(FUZZ_O)/logs; \
	for t in $(FUZZ_MSAN_TARGETS); do \
		log=$(FUZZ_O)/logs/$$t-msan.log; dirs=; \
		for d in tests/fuzz/corpus/$$t tests/fuzz/regressions/$$t; do \
			[ -d $$d ] && dirs="$$dirs $$d"; \
		done; \
		if $(FUZZ_O)/msan/fuzz_$$t -runs=0 $$dirs >$$log 2>&1; then \
			pass=$$((pass + 1)); \
		else \
			fail=$$((fail + 1)); echo "fuzz_$$t FAILED under MSan (log: $$log)"; \
			grep -m1 -A20 -E 'WARNING: MemorySanitizer|ERROR|invariant failed' $$log || tail -20 $$log; \
		fi; \
	done; \
	echo "fuzz-msan: $$pass passed, $$fail failed"; [ $$fail -eq 0 ]

# A parser with a deliberate off-by-one (tests/fuzz/selftest/): the fuzzer must crash on it
# within a minute, and its cmocka test must fail under ASan. Not part of `make check`.
$(FUZZ_O)/selftest/fuzz_selftest: tests/fuzz/selftest/fuzz_selftest.c \
		tests/fuzz/selftest/buggy_split.c | $(FUZZ_O)/.tools
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $^
$(FUZZ_O)/selftest/test_selftest: tests/fuzz/selftest/test_selftest.c \
		tests/fuzz/selftest/buggy_split.c
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) -g $(ASAN_SAN) -o $@ $^ -lcmocka
$(FUZZ_O)/selftest/test_selftest_plain: tests/fuzz/selftest/test_selftest.c \
		tests/fuzz/selftest/buggy_split.c
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) -g -o $@ $^ -lcmocka
$(FUZZ_O)/selftest/leak_selftest: tests/fuzz/selftest/leak_selftest.c
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) -g $(ASAN_SAN) -o $@ $^
fuzz-selftest: $(FUZZ_O)/selftest/fuzz_selftest $(FUZZ_O)/selftest/test_selftest \
		$(FUZZ_O)/selftest/test_selftest_plain $(FUZZ_O)/selftest/leak_selftest
	@echo "== without sanitizers the unit test (informational):"
	@$(FUZZ_O)/selftest/test_selftest_plain >$(FUZZ_O)/selftest/plain.log 2>&1 && \
		echo "passes: the off-by-one is invisible" || echo "fails: $$(tail -1 $(FUZZ_O)/selftest/plain.log)"
	@echo "== the fuzzer must find the off-by-one"
	@mkdir -p $(FUZZ_O)/selftest/artifacts
	@if $(FUZZ_O)/selftest/fuzz_selftest -max_total_time=60 \
		-artifact_prefix=$(FUZZ_O)/selftest/artifacts/ >$(FUZZ_O)/selftest/fuzz.log 2>&1; \
	then echo "selftest: fuzzer did NOT catch the bug"; exit 1; fi
	@grep -m1 -E 'ERROR: AddressSanitizer: [a-z-]+' $(FUZZ_O)/selftest/fuzz.log
	@echo "== the sanitized unit test must fail"
	@if ASAN_OPTIONS=detect_leaks=1 $(FUZZ_O)/selftest/test_selftest \
		>$(FUZZ_O)/selftest/test.log 2>&1; \
	then echo "selftest: ASan did NOT catch the bug"; exit 1; fi
	@grep -m1 -E 'ERROR: AddressSanitizer: [a-z-]+' $(FUZZ_O)/selftest/test.log
	@echo "== LeakSanitizer must report a leak"
	@if env $(ASAN_RUN_ENV) $(FUZZ_O)/selftest/leak_selftest >$(FUZZ_O)/selftest/leak.log 2>&1; \
	then echo "selftest: LeakSanitizer did NOT report the leak"; exit 1; fi
	@grep -m1 -E 'ERROR: LeakSanitizer: detected memory leaks' $(FUZZ_O)/selftest/leak.log
	@echo "fuzz-selftest: the fuzzer, ASan and LSan all caught the deliberate bugs"

# ---- Unit tests under AddressSanitizer + UndefinedBehaviorSanitizer (+ LeakSanitizer) ----
# The same TESTS / test_<name>_SRCS as unit-check, built by a sub-make into build/asan/ with the
# sanitizers added to CC (so they reach every compile and the link, and target-specific CFLAGS
# of the area fragments still apply). Dynamically linked; the static deps link as for unit-check.
# They run from $(O), like unit-check (some tests find their fixtures relative to it).
ASAN_O := $(O)/asan
ASAN_SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
# Not strict_string_checks: it makes strndup(s, n) require a NUL even within n bytes, which is
# valid C and how the parsers copy out of a length-delimited buffer.
ASAN_RUN_ENV := ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 LSAN_OPTIONS=report_objects=1
ASAN_REPORT_RE := ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|SUMMARY: UndefinedBehavior

# The deps are built here, by this make: the sub-make's O would put them elsewhere.
asan-check: | $(DEPS)/.stamp
	@$(MAKE) --no-print-directory O=$(ASAN_O) DEPS=$(DEPS) CC='$(CC) $(ASAN_SAN)' \
		$(addprefix $(ASAN_O)/tests/test_,$(TESTS))
	@pass=0; fail=0; mkdir -p $(ASAN_O)/logs; \
	for t in $(TESTS); do \
		log=$(abspath $(ASAN_O))/logs/test_$$t.log; \
		if (cd $(O) && env $(ASAN_RUN_ENV) $(abspath $(ASAN_O))/tests/test_$$t) >$$log 2>&1 && \
			! grep -qE '$(ASAN_REPORT_RE)' $$log; then \
			pass=$$((pass + 1)); echo "asan: test_$$t ok"; \
		else \
			fail=$$((fail + 1)); echo "asan: test_$$t FAILED (log: $$log)"; \
			grep -m1 -B5 -A30 -E '$(ASAN_REPORT_RE)' $$log || tail -30 $$log; \
		fi; \
	done; \
	echo "asan: $$pass passed, $$fail failed"; [ $$fail -eq 0 ]

EXTRA_CHECKS += fuzz-check fuzz-msan-check asan-check

-include $(shell find $(FUZZ_O)/obj -name '*.d' 2>/dev/null)
