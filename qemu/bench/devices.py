"""Many devices (issue 15, `bench.py --scale disks64,parts64`, `make bench-devices`): /init →
stage 2 with 64 virtio disks (63 empty ones, then the root: the last PCI function, so the last
disk to appear) and with one GPT disk of 64 partitions (the root on the last), against the same
root on 1 disk; every peer of bench.py on the same kernel and QEMU, plus initkit as it was
before the device wait handled uevents by themselves ("initkit, full pass per uevent batch",
built by bench.mk with
initrd/devices.c and stack.c of BENCH_OLD_REV, given as --old-init). Plain ext4 root, found by UUID=."""
import os
import statistics
import subprocess
import sys
import time

import bench  # noqa: E402  (qemu/bench/bench.py: peers, images, parsing)
import run as harness  # noqa: E402

LAYOUTS = {
    "disks1": ("1 disk", [["ext4"]]),
    "disks64": ("64 disks, root last", [["raw", "size=1"]] * 63 + [["ext4"]]),
    "parts64": ("64 partitions, root last", [["gpt-many"]]),
}
APPEND = f"root=UUID={bench.FS_UUID}"


def drives(paths, wd):
    """-drive/-device arguments: private overlays, multifunction slots as run.py places many."""
    args = []
    for i, d in enumerate(paths):
        ov = os.path.join(wd, f"disk{i}.qcow2")
        if os.path.exists(ov):
            os.unlink(ov)
        subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", "-F", "raw", "-b", d, ov], check=True)
        dev = f"virtio-blk-pci,drive=d{i},serial=disk{i}"
        if len(paths) > 16:
            dev += harness.multifunction_addr(i)
        args += ["-drive", f"file={ov},if=none,id=d{i},format=qcow2", "-device", dev]
    return args


def boot(build, image, paths, append, timeout=180):
    wd = os.path.join(build, "bench", "run-devices")
    os.makedirs(wd, exist_ok=True)
    qemu = ["qemu-system-x86_64", "-machine", "q35", "-m", "512", "-smp", "1", "-display", "none",
            "-no-reboot", "-serial", "stdio", "-monitor", "none",
            "-kernel", os.path.join(build, "kernel", "vmlinuz"), "-initrd", image,
            "-append", f"{bench.COMMON} {append}"] + drives(paths, wd)
    start = time.monotonic()
    try:
        out = subprocess.run(qemu, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout).stdout
    except subprocess.TimeoutExpired as e:
        return {"error": f"timeout after {timeout}s", "console": (e.stdout or b"").decode(errors="replace")}
    res = {"host": time.monotonic() - start, "console": out.decode(errors="replace")}
    m, i = bench.MARKER.search(out), bench.RUN_INIT.search(out)
    if not m or not i:
        res["error"] = "QEMU exited without the stage-2 marker"
        return res
    res["i2s"] = float(m.group(1)) - float(i.group(1))
    tl = bench.timeline_from_console(res["console"])
    if tl:
        res["timeline"] = tl
    return res


def image_for(build, peer, old_init):
    if peer != "initkit-old":
        return bench.build_image(build, peer)
    out = os.path.join(build, "bench", "images", "initkit-old.img")
    kver = open(os.path.join(build, "kernel", "kver")).read().strip()
    r = subprocess.run([os.path.join(build, "stripped", "initkit-mkimage"), "-q", "-o", out, "--init", old_init,
                        "--kver", kver, "--moddir", os.path.join(build, "kernel", "root", "lib", "modules", kver),
                        "--module", "virtio_pci,virtio_blk,ext4"], capture_output=True, text=True,
                       env=dict(os.environ, SOURCE_DATE_EPOCH="1700000000"))
    return (out, None) if r.returncode == 0 else (None, r.stderr.strip())


def main(build, scale, peers, boots, out_path, old_init, old_rev):
    layouts = ["disks1"] + [s for s in scale.split(",") if s and s != "disks1"]
    for s in layouts:
        if s not in LAYOUTS:
            sys.exit(f"--scale: {s}: expected {', '.join(LAYOUTS)}")
    # the floor waits for /dev/vda only: it has no row here
    peers = [p for p in peers.split(",") if p and p != bench.FLOOR] + (["initkit-old"] if old_init else [])
    paths = {s: [harness.build_disk(build, r) for r in LAYOUTS[s][1]] for s in layouts}
    images, why = {}, {}
    for p in peers:
        images[p], err = image_for(build, p, old_init)
        if err:
            why[p] = err
    res = {(p, s): [] for p in peers for s in layouts}
    logdir = os.path.join(build, "bench", "logs")
    os.makedirs(logdir, exist_ok=True)
    t0, load0 = time.monotonic(), bench.loadavg()
    for i in range(boots):
        for s in layouts:
            for p in peers:
                if p in why:
                    continue
                extra = bench.TIMELINE_ARG if p.startswith("initkit") else ""
                if p == "dracut":
                    extra = " init=/sbin/init"
                r = boot(build, images[p], paths[s], APPEND + " rd.emergency=poweroff" * p.startswith("initkit") + extra)
                with open(os.path.join(logdir, f"devices-{p}-{s}-{i}.log"), "w") as f:
                    f.write(r["console"])
                if "error" in r:
                    why.setdefault((p, s), f"{r['error']}: {bench.tail(r['console'])}")
                else:
                    res[(p, s)].append(r)
        print(f"bench-devices: round {i + 1}/{boots} done ({time.monotonic() - t0:.0f}s)", file=sys.stderr)
    names = {p: bench.PEERS[p]["label"] if p in bench.PEERS else p for p in peers}
    names["initkit-old"] = f"initkit before (full /sys pass per uevent batch; devices.c, stack.c of {old_rev})"
    lines = [f"Many devices, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}. Machine: {bench.machine()}.",
             f"Kernel {open(os.path.join(build, 'kernel', 'kver')).read().strip()} (Debian), plain ext4 root by "
             f"UUID=; /init → stage 2 (s), median (min–max) of {boots} boots per cell, interleaved; "
             f"{time.monotonic() - t0:.0f} s of boots; host load average {load0} at the start, "
             f"{bench.loadavg()} at the end.", ""]
    head = "| initramfs | " + " | ".join(LAYOUTS[s][0] for s in layouts) + " | " + \
        " | ".join(f"{LAYOUTS[s][0]} ÷ 1 disk" for s in layouts[1:]) + " |"
    lines += [head, "|---" * (1 + 2 * len(layouts) - 1) + "|"]
    for p in peers:
        cells, ratios = [], []
        base = [r["i2s"] for r in res[(p, "disks1")]]
        for s in layouts:
            xs = [r["i2s"] for r in res[(p, s)]]
            cells.append(bench.spread(xs) if xs else f"not measured: {why.get((p, s), why.get(p, '?'))}")
            if s != "disks1":
                ratios.append(bench.ratio(statistics.median(xs), statistics.median(base)) if xs and base else "–")
        lines.append(f"| {names[p]} | " + " | ".join(cells + ratios) + " |")
    lines.append("")
    for p in [p for p in peers if p.startswith("initkit")]:
        lines += [f"{names[p]}, stage 1 steps (median ms):", "",
                  "| step | " + " | ".join(LAYOUTS[s][0] for s in layouts) + " |", "|---" * (1 + len(layouts)) + "|"]
        per = {s: [bench.timeline_steps(r["timeline"]) for r in res[(p, s)] if "timeline" in r] for s in layouts}
        keys = []
        for s in layouts:
            for rows in per[s]:
                keys += [k for k in rows if k not in keys]
        for k in keys:
            lines.append(f"| {k} | " + " | ".join(
                f"{statistics.median([rows.get(k, 0.0) for rows in per[s]]):.0f}" if per[s] else "–" for s in layouts) + " |")
        lines.append("")
    table = "\n".join(lines) + "\n"
    with open(out_path, "w") as f:
        f.write(table)
    print(table)
