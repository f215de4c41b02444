# The QEMU harness: host tools, test disks, scenarios. See qemu/README in README.md.
QEMU_HOST_CFLAGS := -O2 -Wall -Wextra -Werror
$(O)/qemu/xts-encrypt: qemu/xts-encrypt.c | $(DEPS)/.stamp
	@mkdir -p $(@D)
	$(CC) $(QEMU_HOST_CFLAGS) -o $@ $< -lgcrypt
$(O)/qemu/stage2-marker: qemu/stage2-marker.c
	@mkdir -p $(@D)
	$(CC) $(QEMU_HOST_CFLAGS) -static -o $@ $<
$(O)/qemu/hibernate-probe: qemu/hibernate-probe.c
	@mkdir -p $(@D)
	$(CC) $(QEMU_HOST_CFLAGS) -static -o $@ $<
$(O)/kernel/.stamp: qemu/setup.sh
	qemu/setup.sh $(O)

QEMU_BASE_TOOLS := $(O)/qemu/xts-encrypt $(O)/qemu/stage2-marker $(O)/qemu/hibernate-probe \
	$(O)/kernel/.stamp \
	$(O)/stripped/initkit-init $(O)/stripped/initkit-mkimage
QEMU_TOOLS := $(QEMU_BASE_TOOLS)
$(O)/qemu/luks-open-hook: qemu/luks-open-hook.c | $(DEPS)/.stamp
	@mkdir -p $(@D)
	$(CC) $(QEMU_HOST_CFLAGS) $(DEP_CFLAGS) -static -o $@ $< $(DEP_LIBS)
QEMU_TOOLS += $(O)/qemu/luks-open-hook
# Debian's busybox-static (downloaded with apt-get download, unpacked, never installed): the
# /bin/sh of the emergency-shell scenario (qemu/fixtures/busybox-sh.list).
$(O)/qemu/busybox/bin/busybox:
	rm -rf $(O)/qemu/busybox && mkdir -p $(O)/qemu/busybox/deb
	cd $(O)/qemu/busybox/deb && apt-get download -qq busybox-static 2>&1 | grep -v unsandboxed || true
	dpkg-deb -x $(O)/qemu/busybox/deb/busybox-static_*.deb $(O)/qemu/busybox
	test -x $@
QEMU_TOOLS += $(O)/qemu/busybox/bin/busybox
# Debian's e2fsck-static (downloaded, unpacked, never installed): the checker the fsck-*
# scenarios put in their images (initkit-mkimage --fsck-binary), so the host needs none.
$(O)/qemu/e2fsck/sbin/e2fsck.static:
	rm -rf $(O)/qemu/e2fsck && mkdir -p $(O)/qemu/e2fsck/deb
	cd $(O)/qemu/e2fsck/deb && apt-get download -qq e2fsck-static 2>&1 | grep -v unsandboxed || true
	dpkg-deb -x $(O)/qemu/e2fsck/deb/e2fsck-static_*.deb $(O)/qemu/e2fsck
	test -x $@
QEMU_TOOLS += $(O)/qemu/e2fsck/sbin/e2fsck.static
# The btrfs recipes' subvolume helper, run in their preparatory boot (qemu/disks.sh).
$(O)/qemu/btrfs-subvol: qemu/btrfs-subvol.c
	@mkdir -p $(@D)
	$(CC) $(QEMU_HOST_CFLAGS) -static -o $@ $<
QEMU_TOOLS += $(O)/qemu/btrfs-subvol
# The hook of tpm2-pcr-changed.scn: extends PCR 13 before stage 1 unlocks.
$(O)/qemu/tpm2-extend-hook: qemu/tpm2-extend-hook.c
	@mkdir -p $(@D)
	$(CC) $(QEMU_HOST_CFLAGS) -static -o $@ $<
QEMU_TOOLS += $(O)/qemu/tpm2-extend-hook

# Debian 12 with systemd for the stage-2 scenarios (debootstrap, cached; images without mounts),
# and the encrypted-LVM install disk made from it (qemu/disks.sh debian-install, qemu/install/).
$(O)/rootfs-systemd/.images: qemu/rootfs-systemd.sh $(O)/stripped/initkit-stage2 qemu/disks.sh \
		$(wildcard qemu/install/*) $(O)/qemu/xts-encrypt | $(DEPS)/.stamp
	qemu/rootfs-systemd.sh $(O)/rootfs-systemd
QEMU_TOOLS += $(O)/rootfs-systemd/.images

# The confinement scenario's guest: the systemd guest's base + initkit-confine as a generator.
$(O)/rootfs-systemd/.confine: qemu/rootfs-confine.sh $(O)/stripped/initkit-confine \
		$(wildcard qemu/confine/* qemu/confine/units/* qemu/confine/units/*/*) \
		$(O)/rootfs-systemd/.images
	qemu/rootfs-confine.sh $(O)/rootfs-systemd
QEMU_TOOLS += $(O)/rootfs-systemd/.confine

# The Debian package install-debian-deb.scn installs in its guest (guest-tools debs=qemu/debs):
# `make deb` in its own directory, so it never races deb-check's build of $(O)/deb; rebuilt
# when a file the package is made from changes (the harness and the tests are not in it).
GUEST_DEB_SRCS := $(filter-out qemu/% tests/%,$(wildcard $(shell git ls-files 2>/dev/null)))
$(O)/qemu/debs/.stamp: $(GUEST_DEB_SRCS) | $(DEPS)/.stamp
	$(MAKE) deb DEB_DIR=$(O)/qemu/deb-build
	rm -rf $(@D) && mkdir -p $(@D) && cp $(O)/qemu/deb-build/initkit_*.deb $(@D)/ && touch $@
QEMU_TOOLS += $(O)/qemu/debs/.stamp

# Rules that use QEMU_TOOLS come last: prerequisites are expanded when a rule is read.
SCENARIOS ?= $(sort $(wildcard qemu/scenarios/*.scn))

.PHONY: qemu-check
qemu-check: $(QEMU_TOOLS)
	python3 qemu/run.py --build $(O) $(SCENARIOS)

# The README's main job: build an image and boot it under QEMU, unlocking a LUKS disk.
.PHONY: demo
demo: $(QEMU_BASE_TOOLS)
	python3 qemu/run.py --build $(O) --verbose qemu/demo.scn
-include qemu/bench/bench.mk

