# Boot benchmark (issue 7): initkit against initramfs-tools, dracut and a NixOS-style stage 1
# on the same kernel, disks and QEMU, and the floor (issue 15: qemu/bench/floor-init.c). Not part of `make check`: it reports, nothing depends on
# it. `make bench-boot BENCH_BOOTS=5` prints the markdown table and writes $(O)/bench-boot.md.
# Only the base QEMU tools: the benchmark needs none of the stage-2 scenario roots.
BENCH_BOOTS ?= 5
BENCH_PEERS ?= initramfs-tools,dracut,nixos-style,initkit,floor
$(O)/bench/vmhwm-probe: qemu/bench/vmhwm-probe.c
	@mkdir -p $(@D)
	$(CC) $(QEMU_HOST_CFLAGS) -static -o $@ $<

.PHONY: bench-boot
bench-boot: $(QEMU_BASE_TOOLS) $(O)/bench/vmhwm-probe
	qemu/bench/deps.sh
	python3 qemu/bench/bench.py --build $(O) --boots $(BENCH_BOOTS) --peers $(BENCH_PEERS) \
		--probe $(O)/bench/vmhwm-probe --out $(O)/bench-boot.md \
		--enter-delay $(BENCH_ENTER_DELAY) --enter-boots $(BENCH_ENTER_BOOTS)

# Enter → stage 2 (issue 15): bench-boot's boots give it at the usual 0.25 s typing pause;
# BENCH_ENTER_BOOTS more boots per peer on the LUKS2 and LVM-on-LUKS disks are typed after
# BENCH_ENTER_DELAY (a person's 3 s). bench-enter: only those two disks and the Enter table
# ($(O)/bench-enter.md).
BENCH_ENTER_DELAY ?= 3
BENCH_ENTER_BOOTS ?= 3
.PHONY: bench-enter
bench-enter: $(QEMU_BASE_TOOLS)
	qemu/bench/deps.sh
	python3 qemu/bench/bench.py --build $(O) --boots $(BENCH_ENTER_BOOTS) --peers $(BENCH_PEERS) \
		--disks luks,lvm --enter-delay $(BENCH_ENTER_DELAY) --enter-boots $(BENCH_ENTER_BOOTS) \
		--out $(O)/bench-enter.md

# Several LUKS2 argon2id volumes, one passphrase (issue 15): 1, 4 and 8 volumes under -smp 2,
# /init → stage 2 and Enter → stage 2 per peer and count ($(O)/bench-volumes.md).
BENCH_VOLUMES ?= 1,4,8
BENCH_VOLUME_BOOTS ?= 3
.PHONY: bench-volumes
bench-volumes: $(QEMU_BASE_TOOLS)
	qemu/bench/deps.sh
	python3 qemu/bench/bench.py --build $(O) --boots $(BENCH_VOLUME_BOOTS) --peers $(BENCH_PEERS) \
		--volumes $(BENCH_VOLUMES) --out $(O)/bench-volumes.md

# bench.py's timeline breakdown (issue 18) on recorded timelines, without QEMU: in `make check`.
.PHONY: bench-unit-check
bench-unit-check:
	python3 -m unittest qemu/bench/test_bench.py
EXTRA_CHECKS += bench-unit-check
# Host-only images (issue 12): initkit-mkimage --host, initramfs-tools MODULES=dep and dracut
# --hostonly for the same machine, side by side (qemu/bench/hostonly-compare.sh). Reports only.
# bench-hostonly: this build host, for the kernel in $(O)/kernel ($(O)/bench-hostonly.md).
# bench-hostonly-guest: inside the Debian 12 encrypted-LVM install guest, for its running kernel
# (qemu/bench/hostonly-guest.scn; the peers' packages are downloaded here, unpacked there);
# the table goes to $(O)/bench-hostonly-guest.md.
.PHONY: bench-hostonly bench-hostonly-guest
bench-hostonly: $(QEMU_BASE_TOOLS) $(O)/qemu/e2fsck/sbin/e2fsck.static
	qemu/bench/deps.sh
	qemu/bench/hostonly-compare.sh $(O) $(O)/bench-hostonly.md
BENCH_GUEST_DEBS := initramfs-tools initramfs-tools-core klibc-utils libklibc cpio busybox \
	cryptsetup-initramfs linux-base zstd dracut-core kpartx
$(O)/bench/guest-debs/.stamp: qemu/bench/bench.mk
	rm -rf $(@D) && mkdir -p $(@D)
	cd $(@D) && apt-get download -qq $(BENCH_GUEST_DEBS) 2>&1 | grep -v unsandboxed || true
	touch $@
bench-hostonly-guest: $(QEMU_TOOLS) $(O)/bench/guest-debs/.stamp
	python3 qemu/run.py --build $(O) qemu/bench/hostonly-guest.scn
	tr -d '\r' <$(O)/qemu/logs/hostonly-guest.log | \
		sed -n '/^Host-only images for/,/^- dracut --hostonly-mode strict/p' | tee $(O)/bench-hostonly-guest.md
# Many devices (issue 15): /init → stage 2 with 64 virtio disks and with 64 GPT partitions
# against 1 disk, every peer, and initkit with initrd/devices.c and stack.c of BENCH_OLD_REV
# (before the device wait handled each uevent by itself) built beside this one
# (qemu/bench/devices.py).
BENCH_SCALE ?= disks64,parts64
BENCH_DEVICES_BOOTS ?= 3
BENCH_OLD_REV ?= 86c1bc6
# the files the change touched, as they were at BENCH_OLD_REV; every other object as built
BENCH_OLD_FILES := devices stack
$(O)/bench/old/%.c: qemu/bench/bench.mk
	@mkdir -p $(@D)
	git show $(BENCH_OLD_REV):initrd/$*.c >$@
$(O)/bench/old/%.o: $(O)/bench/old/%.c | $(DEPS)/.stamp
	$(CC) $(BASE_CFLAGS) $(CFLAGS) $(DEP_CFLAGS) -Iinitrd -c $< -o $@
$(O)/bench/old/initkit-init: $(patsubst %,$(O)/bench/old/%.o,$(BENCH_OLD_FILES)) \
		$(filter-out $(patsubst %,\%/initrd/%.o,$(BENCH_OLD_FILES)),$(patsubst %.c,$(O)/obj/%.o,$(initkit-init_SRCS)))
	$(CC) $(CFLAGS) $(STATIC_LDFLAGS) -o $@.dbg $^ $(DEP_LIBS) $(TSS_LIBS)
	$(STRIP) -o $@ $@.dbg
.PHONY: bench-devices
bench-devices: $(QEMU_BASE_TOOLS) $(O)/bench/old/initkit-init
	qemu/bench/deps.sh
	python3 qemu/bench/bench.py --build $(O) --scale $(BENCH_SCALE) --boots $(BENCH_DEVICES_BOOTS) \
		--peers $(BENCH_PEERS) --old-init $(O)/bench/old/initkit-init \
		--old-rev $(BENCH_OLD_REV) --out $(O)/bench-devices.md
