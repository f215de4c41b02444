# Boot benchmark (issue 7): initkit against initramfs-tools, dracut and a NixOS-style stage 1
# on the same kernel, disks and QEMU. Not part of `make check`: it reports, nothing depends on
# it. `make bench-boot BENCH_BOOTS=5` prints the markdown table and writes $(O)/bench-boot.md.
# Only the base QEMU tools: the benchmark needs none of the stage-2 scenario roots.
BENCH_BOOTS ?= 5
BENCH_PEERS ?= initramfs-tools,dracut,nixos-style,initkit
$(O)/bench/vmhwm-probe: qemu/bench/vmhwm-probe.c
	@mkdir -p $(@D)
	$(CC) $(QEMU_HOST_CFLAGS) -static -o $@ $<

.PHONY: bench-boot
bench-boot: $(QEMU_BASE_TOOLS) $(O)/bench/vmhwm-probe
	qemu/bench/deps.sh
	python3 qemu/bench/bench.py --build $(O) --boots $(BENCH_BOOTS) --peers $(BENCH_PEERS) \
		--probe $(O)/bench/vmhwm-probe --out $(O)/bench-boot.md

# bench.py's timeline breakdown (issue 18) on recorded timelines, without QEMU: in `make check`.
.PHONY: bench-unit-check
bench-unit-check:
	python3 -m unittest qemu/bench/test_bench.py
EXTRA_CHECKS += bench-unit-check
