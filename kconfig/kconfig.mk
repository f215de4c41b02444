# kconfig-merge: structured kernel-config merging (see kconfig/README.md).
KCONFIG_PURE_SRCS := kconfig/kconfig_set.c kconfig/kconfig_read.c kconfig/fragment.c \
	kconfig/merge.c kconfig/verify.c kconfig/kconfig_tree.c kconfig/mergeconfig.c \
	kconfig/kconfig_cache.c kconfig/series.c
PROGRAMS += kconfig-merge
kconfig-merge_SRCS := kconfig/main.c kconfig/mergeconfig_main.c kconfig/io.c \
	$(KCONFIG_PURE_SRCS) $(LIB_SRCS)

TESTS += kconfig_read kconfig_merge kconfig_fragment kconfig_verify kconfig_mergeconfig kconfig_cache kconfig_series
test_kconfig_read_SRCS := tests/test_kconfig_read.c $(KCONFIG_PURE_SRCS)
test_kconfig_merge_SRCS := tests/test_kconfig_merge.c $(KCONFIG_PURE_SRCS)
test_kconfig_fragment_SRCS := tests/test_kconfig_fragment.c $(KCONFIG_PURE_SRCS)
test_kconfig_verify_SRCS := tests/test_kconfig_verify.c $(KCONFIG_PURE_SRCS)
test_kconfig_mergeconfig_SRCS := tests/test_kconfig_mergeconfig.c $(KCONFIG_PURE_SRCS)
test_kconfig_cache_SRCS := tests/test_kconfig_cache.c $(KCONFIG_PURE_SRCS)
test_kconfig_series_SRCS := tests/test_kconfig_series.c $(KCONFIG_PURE_SRCS)

# Real-tree tests: Debian's linux-source-6.1 and linux-config-6.1 (downloaded, cached in build/).
.PHONY: kconfig-check bench-kconfig kconfig-kernel
EXTRA_CHECKS += kconfig-check
kconfig-check: $(O)/bin/kconfig-merge
	tests/kconfig/real-tree.sh $(O)
bench-kconfig: $(O)/bin/kconfig-merge
	tests/kconfig/bench.sh $(O)
# End to end (part of check): tinyconfig + kconfig/initkit.kcm -> bzImage (cached in
# $(O)/kconfig/), booted by the QEMU harness with an initkit image and a LUKS2 argon2id root.
EXTRA_CHECKS += kconfig-kernel
kconfig-kernel: $(O)/bin/kconfig-merge $(O)/stripped/initkit-init $(O)/stripped/initkit-mkimage \
		$(O)/qemu/xts-encrypt $(O)/qemu/stage2-marker $(O)/kernel/.stamp
	tests/kconfig/kernel.sh $(O)
	python3 qemu/run.py --build $(O) tests/kconfig/initkit-kernel.scn
