#!/usr/bin/env python3
"""Boot benchmark: initkit against the initramfs a user would use instead, on the same Debian
kernel (BUILD/kernel), the same test disks (qemu/disks.sh recipes luks2-pbkdf2, ext4 and
lvm-on-luks, Debian's encrypted LVM) and the same QEMU (TCG), in one run, with the floor (a lab
/init doing only what the boot must, qemu/bench/floor-init.c) for the "÷ floor" column. See
qemu/bench/README.md for the method.

Usage: qemu/bench/bench.py [--build build] [--boots 5] [--peers a,b] [--out FILE] [--one PEER:DISK]
Prints the markdown table and writes it to BUILD/bench-boot.md (or --out).
--one PEER:DISK boots a single image once with the console echoed (for debugging a peer).
--scale disks64,parts64 measures many devices instead (qemu/bench/devices.py, make bench-devices).
Enter → stage 2 (passphrase line sent → marker read) is a table after the main one;
--enter-boots N adds N boots per peer on the LUKS disks typed after --enter-delay (3 s).
--volumes 1,4,8: instead of the disks, N LUKS2 argon2id volumes sharing one passphrase
(BUILD/bench-volumes.md); --one PEER:volN boots one of those.
"""
import argparse
import datetime
import hashlib
import json
import os
import platform
import re
import select
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import run as harness  # noqa: E402  (qemu/run.py: build_disk, cached test disks)

PASS = "initkit-test-passphrase"
# The passphrase is typed this long after the prompt shows (as a person would: a prompt may
# switch the echo off and flush typed-ahead input just after printing itself; initkit does).
# The pause is inside every LUKS2 figure, the same for every peer.
TYPE_DELAY = 0.25
LUKS_UUID = "7b2d3d6f-5b5f-4e1c-8e6a-2a1c8b3f0002"
FS_UUID = "6a1c2c5e-4a4f-4d0b-9d59-1f0b7a2f0001"
DISKS = {"luks": ["luks2-pbkdf2"], "plain": ["ext4"], "lvm": ["lvm-on-luks"]}
DISK_LABEL = {"luks": "LUKS2", "plain": "ext4", "lvm": "LVM on LUKS2"}
# The LVM-on-LUKS disk is Debian's installer layout (qemu/disks.sh lvm-on-luks): crypttab name
# sda3_crypt around a PV of VG debian-vg, LVs root (the ext4 test root) and swap_1. It is
# booted from separate images (BENCH_LVM=1 to the builders), so the LUKS2/ext4 rows keep
# their images.
CRYPT = "sda3_crypt"
LVM_ROOT = "/dev/mapper/debian--vg-root"
COMMON = "console=ttyS0 panic=-1 rw"
MARKER = re.compile(rb"INITKIT-STAGE2 reached: pid=1 uptime=([0-9.]+)")
RUN_INIT = re.compile(rb"\[\s*([0-9.]+)\] Run /init as init process")
PROBE = re.compile(rb"bench-probe: \S+ VmHWM=(\d+) kB VmRSS=(\d+) kB samples=(\d+)")
# Stage 1's timeline (/run/initkit/timeline.json), printed line by line by the test root's
# stage-2 marker when the command line has test.timeline=1 (initkit's boots only).
TIMELINE_LINE = re.compile(r"INITKIT-STAGE2 timeline: ([^\r\n]*)")
TIMELINE_ARG = " test.timeline=1"
# A kernel message the serial console printed in the middle of a line of the marker's (printk
# does not wait for a user line to end): cut out, so the line is whole again.
KERNEL_MIDLINE = re.compile(r"(?<=[^\n])\[ *[0-9]+\.[0-9]+\] [^\r\n]*\r?\n")

# Per peer: how its image is built, its command line for each disk (None: not measured, with
# the reason in "lvm_why"), and its passphrase prompt (any mapping name). Every peer gets the same kernel modules (virtio_pci, virtio_blk, ext4, dm_crypt
# and the crypto templates) unless its tool insists on more (see the README).
PEERS = {
    "initramfs-tools": {
        "script": "mkimage-initramfs-tools.sh",
        "luks": f"root=/dev/mapper/croot cryptopts=target=croot,source=UUID={LUKS_UUID},luks",
        "plain": f"root=UUID={FS_UUID}",
        # cryptsetup-initramfs 2.6 has no lvm= in cryptopts any more (it warns about an
        # unknown option): lvm2's udev rules (69-lvm.rules) activate the VG once the PV shows.
        "lvm": f"root={LVM_ROOT} cryptopts=target={CRYPT},source=UUID={LUKS_UUID},luks",
        "prompt": rb"Please unlock disk \S+: ",
        "label": "initramfs-tools + cryptsetup-initramfs",
    },
    "dracut": {
        "script": "mkimage-dracut.sh",
        "luks": f"rd.luks.uuid={LUKS_UUID} root=UUID={FS_UUID} init=/sbin/init",
        "plain": f"root=UUID={FS_UUID} init=/sbin/init",
        "lvm": f"rd.luks.uuid={LUKS_UUID} rd.lvm.lv=debian-vg/root root={LVM_ROOT} init=/sbin/init",
        "prompt": rb"[Pp]assphrase for [^\r\n]*:",
        "label": "dracut (systemd, crypt)",
    },
    "nixos-style": {
        "script": "mkimage-nixos-style.sh",
        "luks": f"bench.luks={LUKS_UUID}:croot root=/dev/mapper/croot",
        "plain": f"root=UUID={FS_UUID}",
        "lvm": f"bench.luks={LUKS_UUID}:{CRYPT} root={LVM_ROOT}",
        "prompt": rb"Passphrase for /dev/vda: ",
        "label": "NixOS-style (busybox + cryptsetup + modprobe)",
    },
    "initkit": {
        "script": "mkimage-initkit.sh",
        "luks": f"rd.luks.name={LUKS_UUID}=croot root=/dev/mapper/croot rd.emergency=poweroff"
                + TIMELINE_ARG,
        "plain": f"root=UUID={FS_UUID} rd.emergency=poweroff" + TIMELINE_ARG,
        # Without a crypttab, like the other peers: the name on the command line.
        "lvm": f"rd.luks.name={LUKS_UUID}={CRYPT} root={LVM_ROOT} rd.emergency=poweroff"
               + TIMELINE_ARG,
        "prompt": rb"Passphrase for \S+ \(UUID [0-9a-f-]+\): ",
        "label": "initkit",
    },
    # The floor (qemu/bench/floor-init.c): only what the boot must, no prompt (the passphrase
    # is on its command line); every row's "÷ floor" divides by it.
    "floor": {
        "script": "mkimage-floor.sh",
        "luks": f"floor.disk=/dev/vda floor.mods=luks floor.luks=croot:{PASS}",
        "plain": "floor.disk=/dev/vda floor.mods=plain",
        "lvm": None,
        "lvm_why": "no LVM floor (the floor has no lvm; the LUKS2 row is its LUKS floor)",
        "prompt": rb"(?!)",  # never prompts
        "label": "floor (lab /init: modules, wait, [LUKS open], mount, switch)",
    },
}
ORDER = ["initramfs-tools", "dracut", "nixos-style", "initkit", "floor"]
FLOOR = "floor"


def file_hash(paths):
    h = hashlib.sha256()
    for p in paths:
        with open(p, "rb") as f:
            h.update(f.read())
    return h.hexdigest()[:16]


def build_image(build, peer, probe=None, lvm=False):
    """Images are cached under BUILD/bench/images, rebuilt when the builder, the kernel or
    (for initkit) the initkit binaries change. lvm: the image for the LVM-on-LUKS disk."""
    spec = PEERS[peer]
    script = os.path.join(HERE, spec["script"])
    inputs = [script, os.path.join(build, "kernel", "kver")]
    if peer == "nixos-style":
        inputs.append(os.path.join(HERE, "nixos-stage1-init.sh"))
    if peer == FLOOR:
        inputs += [os.path.join(HERE, "floor-init.c"), os.path.join(build, "deps", "lib", "libcryptsetup.a")]
    if peer == "initkit":
        inputs += [os.path.join(build, "stripped", p) for p in ("initkit-init", "initkit-mkimage")]
        if probe:
            inputs.append(probe)
        if lvm:
            inputs.append(os.path.join(build, "deps", "sbin", "lvm"))
    name = peer + ("-probe" if probe else "") + ("-lvm" if lvm else "")
    out = os.path.join(build, "bench", "images", f"{name}.img")
    stamp = out + ".stamp"
    key = file_hash(inputs)
    if os.path.exists(out) and os.path.exists(stamp) and open(stamp).read() == key:
        return out, None
    t0 = time.monotonic()
    args = [script, build, out] + ([probe] if probe else [])
    env = dict(os.environ, BENCH_LVM="1" if lvm else "")
    r = subprocess.run(args, capture_output=True, text=True, env=env)
    if r.returncode != 0 or not os.path.exists(out):
        return None, f"image build failed: {(r.stderr or r.stdout).strip().splitlines()[-1:]}"
    with open(stamp, "w") as f:
        f.write(key)
    print(f"bench: built {name} image in {time.monotonic() - t0:.0f}s", file=sys.stderr)
    return out, None


def count_entries(build, image):
    """(files, entries) of the image as booted, every cpio segment (unmkinitramfs)."""
    d = tempfile.mkdtemp(dir=os.path.join(build, "bench"))
    try:
        if subprocess.run(["unmkinitramfs", image, d], capture_output=True).returncode != 0:
            return "?", "?"  # not a readable initramfs
        files = entries = 0
        for root, dirs, names in os.walk(d):
            entries += len(dirs) + len(names)
            files += len(names)  # regular files, symlinks and device nodes
        return files, entries
    finally:
        shutil.rmtree(d, ignore_errors=True)


def boot(build, image, disk, append, prompt, echo=False, timeout=90, extra_disks=(), smp=1, mem=512,
         delay=None, answers=1):
    """One boot; returns a dict with marker uptime, /init start timestamp, host seconds to
    the marker, and the console (or 'error'). extra_disks: more virtio disks after DISK;
    delay: the typing pause (default TYPE_DELAY); answers: how many prompts are answered (a
    peer that asks once per volume). 'enter': host seconds from the first passphrase line
    sent to the marker's line read; 'typed': how many lines were sent."""
    delay = TYPE_DELAY if delay is None else delay
    kdir = os.path.join(build, "kernel")
    wd = os.path.join(build, "bench", "run")
    os.makedirs(wd, exist_ok=True)
    ov = os.path.join(wd, "disk.qcow2")
    if os.path.exists(ov):
        os.unlink(ov)
    subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", "-F", "raw", "-b", disk, ov], check=True)
    more = []
    for n, extra in enumerate(extra_disks, 1):
        xov = os.path.join(wd, f"disk{n}.qcow2")
        if os.path.exists(xov):
            os.unlink(xov)
        subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", "-F", "raw", "-b", extra, xov], check=True)
        more += ["-drive", f"file={xov},if=none,id=d{n},format=qcow2",
                 "-device", f"virtio-blk-pci,drive=d{n},serial=disk{n}"]
    qemu = ["qemu-system-x86_64", "-machine", "q35", "-m", str(mem), "-smp", str(smp), "-display", "none",
            "-no-reboot", "-serial", "stdio", "-monitor", "none",
            "-kernel", os.path.join(kdir, "vmlinuz"), "-initrd", image,
            "-append", f"{COMMON} {append}",
            "-drive", f"file={ov},if=none,id=d0,format=qcow2", "-device", "virtio-blk-pci,drive=d0,serial=disk0"] + more
    start = time.monotonic()
    p = subprocess.Popen(qemu, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = b""
    sent = False
    prompt_seen = None
    res = {}
    prompt_re = re.compile(prompt)
    typed, seen_upto, first_sent = 0, 0, None

    def type_line():
        nonlocal sent, typed, first_sent
        p.stdin.write(PASS.encode() + b"\r")
        p.stdin.flush()
        typed += 1
        first_sent = first_sent or time.monotonic()
        sent = typed >= answers

    while True:
        left = timeout - (time.monotonic() - start)
        if left <= 0:
            res["error"] = f"timeout after {timeout}s"
            break
        wait = min(left, 1.0)
        if prompt_seen is not None and not sent:
            wait = max(0.0, min(wait, prompt_seen + delay - time.monotonic()))
        r, _, _ = select.select([p.stdout], [], [], wait)
        if not r:
            if prompt_seen is not None and not sent and time.monotonic() - prompt_seen >= delay:
                res["prompt_wait"] = res.get("prompt_wait", 0.0) + time.monotonic() - prompt_seen
                type_line()
                prompt_seen = None
            continue
        chunk = os.read(p.stdout.fileno(), 65536)
        if not chunk:
            break
        out += chunk
        if echo:
            sys.stdout.write(chunk.decode(errors="replace"))
            sys.stdout.flush()
        if not sent and prompt_seen is None:
            m = prompt_re.search(out, seen_upto)
            if m:  # a new prompt (the next volume's, when a peer asks once per volume)
                prompt_seen, seen_upto = time.monotonic(), m.end()
        if not sent and prompt_seen is not None and time.monotonic() - prompt_seen >= delay:
            res["prompt_wait"] = res.get("prompt_wait", 0.0) + time.monotonic() - prompt_seen
            type_line()
            prompt_seen = None
        if "host" not in res and MARKER.search(out):
            res["host"] = time.monotonic() - start
            if first_sent is not None:
                res["enter"] = time.monotonic() - first_sent
    res["typed"] = typed
    if p.poll() is None:
        p.kill()
    p.wait()
    m = MARKER.search(out)
    if m:
        res["uptime"] = float(m.group(1))
        i = RUN_INIT.search(out)
        if i:
            res["init"] = float(i.group(1))
        pr = PROBE.search(out)
        if pr:
            res["vmhwm"], res["vmrss"], res["samples"] = (int(x) for x in pr.groups())
    elif "error" not in res:
        res["error"] = "QEMU exited without the stage-2 marker"
    res["console"] = out.decode(errors="replace")
    tl = timeline_from_console(res["console"])
    if tl:
        res["timeline"] = tl
    return res


def timeline_from_console(console):
    """Stage 1's timeline.json as the stage-2 marker printed it, parsed; None when absent or
    not a timeline (a peer other than initkit, or a boot cut short)."""
    text = "\n".join(TIMELINE_LINE.findall(KERNEL_MIDLINE.sub("", console)))
    if not text:
        return None
    try:
        doc = json.loads(text)
    except ValueError:
        return None
    return doc if isinstance(doc, dict) and doc.get("format") == "initkit-timeline" else None


def timeline_steps(doc):
    """{row: ms} for one boot: the kernel until /init, each top-level step of stage 1, and
    the inner figures worth a row of their own (LUKS header load, unlock = KDF + activation,
    the person at the prompt, modules inserted, device waits, lvm commands)."""
    ms = doc["milestones"]
    rows = {"kernel (until /init)": ms["init_start_us"] / 1000}
    for e in doc["events"]:
        d = (e["end_us"] - e["begin_us"]) / 1000
        if e["parent"] == -1 and e["kind"] == "step":
            rows[e["name"]] = rows.get(e["name"], 0) + d
        elif e["kind"] in ("header", "unlock", "prompt", "module", "wait", "lvm"):
            nested = any(doc["events"][p]["kind"] == e["kind"] for p in ancestors(doc, e))
            if not nested:  # a module's own dependencies are inside its span
                key = {"header": "  LUKS: header load", "unlock": "  LUKS: KDF + activation",
                       "prompt": "  LUKS: at the prompt",
                       "module": "  modules inserted (all)", "wait": "  waiting for devices",
                       "lvm": "  lvm commands"}[e["kind"]]
                rows[key] = rows.get(key, 0) + d
    rows["initkit total (/init → switch_root)"] = float(doc["total_ms"])
    return rows


def prompt_wait(r):
    """Seconds one boot spent waiting for the person at the prompt, the same way for every
    peer: what the harness saw (prompt seen on the console → line sent), else 0 (no prompt:
    the floor, a plain root). Not initkit's own timeline span (prompt shown → line read):
    that span also holds the time the guest, busy with the work it does while the prompt is
    shown (modules, header), took to read a line already sent, which is work after the key
    (0.49 s span for a 0.25 s harness wait on one TCG boot): subtracting it would flatter
    initkit against the peers the harness measures."""
    return r.get("prompt_wait", 0.0)


def after_key(r):
    """/init → stage 2 without the prompt wait (what the floor, which never prompts, is
    compared with), or None when the boot has no /init timestamp."""
    if "init" not in r or "uptime" not in r:
        return None
    return r["uptime"] - r["init"] - prompt_wait(r)


def floor_ratio(peer_after_key, floor_after_key):
    """The "÷ floor" column: a peer's median /init → stage 2 after the key over the floor's,
    same disk, same run ("–" when either is missing)."""
    return ratio(peer_after_key, floor_after_key)


def ancestors(doc, e):
    p = e["parent"]
    while 0 <= p < len(doc["events"]):
        yield p
        p = doc["events"][p]["parent"]


def breakdown_table(timelines, label):
    """Markdown: median (min–max) per row over the boots' timelines, rows in boot order."""
    per = [timeline_steps(d) for d in timelines]
    order = []
    for rows in per:  # a row only some boots have goes after its predecessor in theirs
        prev = None
        for k in rows:
            if k not in order:
                order.insert(order.index(prev) + 1 if prev else 0, k)
            prev = k
    lines = [f"initkit stage 1 breakdown, {label} ({len(per)} boots, from /run/initkit/timeline.json; "
             "steps absent from a boot count as 0 ms):", "",
             "| step | median (ms) | min–max (ms) |", "|---|---|---|"]
    for k in order:
        xs = [rows.get(k, 0.0) for rows in per]
        lines.append(f"| {k} | {statistics.median(xs):.1f} | {min(xs):.1f}–{max(xs):.1f} |")
    return lines


# Enter → stage 2 (issue 15, section 2): host seconds from sending the passphrase line to
# reading the stage-2 marker's line, at the usual typing pause and at a person's 3 s (a stage 1
# that works while the prompt waits gains at 3 s). Disks with a prompt only.
ENTER_DISKS = ["luks", "lvm"]


def enter_table(peers, at_default, at_slow, slow, label=None):
    """Markdown lines: per peer and disk, Enter → stage 2 median (min–max) at TYPE_DELAY
    (at_default) and at SLOW s (at_slow; {} when not measured), and initkit ÷ peer for each.
    at_*: {(peer, disk): [seconds]}."""
    label = label or (lambda p: PEERS[p]["label"] if p in PEERS else p)
    cols = [(f"{TYPE_DELAY:g} s", at_default)] + ([(f"{slow:g} s", at_slow)] if at_slow else [])
    head = "| initramfs | root | " + " | ".join(
        f"Enter → stage 2, typed after {c} (s): median (min–max)" for c, _ in cols) + " | " + " | ".join(
        f"initkit ÷ peer ({c})" for c, _ in cols) + " |"
    lines = [head, "|---|---|" + "---|" * (2 * len(cols))]
    for p in peers:
        for d in ENTER_DISKS:
            if not any(at.get((p, d)) for _, at in cols):
                continue
            vals = [spread(at.get((p, d), [])) for _, at in cols]
            rats = [ratio(med(at.get(("initkit", d), [])), med(at.get((p, d), []))) if p != "initkit" else "1"
                    for _, at in cols]
            lines.append(f"| {label(p)} | {DISK_LABEL[d]} | " + " | ".join(vals) + " | " + " | ".join(rats) + " |")
    return lines


# Several LUKS2 volumes sharing one passphrase (issue 15, section 3): volume 1 holds the root
# (the luks2-pbkdf2 disk's ext4 root, its keyslot converted to argon2id), volumes 2..N are
# empty LUKS2 containers on sparse files, each its own virtio disk; all must be open before
# stage 2. Argon2id cost of every keyslot: VOL_KDF (memory KiB, iterations, threads).
VOL_KDF = (32768, 4, 1)
VOL_MEM = 1024  # guest MiB: dracut opens all volumes at once, 32 MiB each
VOL_SMP = 2


def vol_uuid(i):
    return LUKS_UUID if i == 1 else f"7b2d3d6f-5b5f-4e1c-8e6a-2a1c8b3f{1000 + i:04d}"


def vol_name(i):
    return "croot" if i == 1 else f"cvol{i}"


def volumes_cmdline(peer, n):
    """The command line telling PEER about N volumes, the root on the first. n=1 is the
    LUKS2 row's command line of bench-boot."""
    vols = [(vol_uuid(i), vol_name(i)) for i in range(1, n + 1)]
    if peer == "initkit":
        return (" ".join(f"rd.luks.name={u}={v}" for u, v in vols)
                + " root=/dev/mapper/croot rd.emergency=poweroff" + TIMELINE_ARG)
    if peer == "dracut":  # systemd-cryptsetup-generator: one unit per volume, in parallel
        return " ".join(f"rd.luks.uuid={u}" for u, _ in vols) + f" root=UUID={FS_UUID} init=/sbin/init"
    if peer == "nixos-style":
        return " ".join(f"bench.luks={u}:{v}" for u, v in vols) + " root=/dev/mapper/croot"
    if peer == "initramfs-tools":  # cryptroot: one crypttab line per cryptopts=, in order
        return "root=/dev/mapper/croot " + " ".join(f"cryptopts=target={v},source=UUID={u},luks" for u, v in vols)
    raise KeyError(peer)


# What each peer prints when a volume is open (the count before the marker is in the table:
# every volume must be open before stage 2).
VOL_OPENED = {
    "initkit": rb"luks: /dev/\S+ \([0-9a-f-]+\) is /dev/mapper/",
    "dracut": rb"Finished .{0,16}systemd-cryptsetu",
    "nixos-style": rb"(opened as \S+| - success)\r?\n",
    "initramfs-tools": rb"cryptsetup: \S+: set up successfully",
}


def volumes_opened(peer, console):
    """How many volumes PEER's console reports open before the stage-2 marker."""
    m = MARKER.search(console)
    return len(re.findall(VOL_OPENED[peer], console[:m.start()] if m else console))


def parse_counts(text):
    """'1,4,8' -> [1, 4, 8]; each 1..VOL_MAX, no repeats."""
    counts = [int(x) for x in text.split(",") if x.strip()]
    if not counts or any(not 1 <= c <= VOL_MAX for c in counts) or len(set(counts)) != len(counts):
        raise ValueError(f"--volumes {text!r}: counts 1..{VOL_MAX}, comma-separated, no repeats")
    return counts


VOL_MAX = 16


def volume_disks(build, root_src, n):
    """Paths of volumes 1..N, made once and cached in BUILD/bench/disks (sparse files)."""
    kdf = ["--pbkdf", "argon2id", "--pbkdf-memory", str(VOL_KDF[0]),
           "--pbkdf-force-iterations", str(VOL_KDF[1]), "--pbkdf-parallel", str(VOL_KDF[2])]
    key = hashlib.sha256((os.path.basename(root_src) + " ".join(kdf)).encode()).hexdigest()[:12]
    d = os.path.join(build, "bench", "disks")
    os.makedirs(d, exist_ok=True)
    paths = []
    for i in range(1, n + 1):
        out = os.path.join(d, f"vol{i}-{key}.img")
        paths.append(out)
        if os.path.exists(out):
            continue
        tmp = out + ".tmp"
        if i == 1:  # the root: the LUKS2 test disk, its one keyslot re-made with argon2id
            subprocess.run(["cp", "--sparse=always", root_src, tmp], check=True)
            cmd = ["cryptsetup", "luksConvertKey", "--batch-mode", "--key-file", "-"] + kdf + [tmp]
        else:
            subprocess.run(["truncate", "-s", "20M", tmp], check=True)
            cmd = (["cryptsetup", "luksFormat", "--batch-mode", "--type", "luks2", "--uuid", vol_uuid(i),
                    "--key-file", "-"] + kdf + [tmp])
        subprocess.run(cmd, input=PASS.encode(), check=True)
        os.rename(tmp, out)
    return paths


def volumes_table(peers, res, counts, label=None):
    """Markdown lines: per peer and volume count, prompts answered, /init → stage 2 and
    Enter → stage 2 (median (min–max)), and each figure's ratio to the smallest count's.
    res: {(peer, n): [boot dicts with uptime, init, enter, typed]}."""
    label = label or (lambda p: PEERS[p]["label"] if p in PEERS else p)
    base = min(counts)
    lines = ["| initramfs | volumes | passphrases typed | open before stage 2 (console) "
             "| /init → stage 2 (s): median (min–max) "
             f"| Enter → stage 2 (s): median (min–max) | /init → stage 2 ÷ {base} volume(s) "
             f"| Enter → stage 2 ÷ {base} volume(s) |", "|---|---|---|---|---|---|---|---|"]
    for p in peers:
        def fig(n):
            rs = res.get((p, n), [])
            return ([r["uptime"] - r["init"] for r in rs if "init" in r],
                    [r["enter"] for r in rs if "enter" in r], sorted({r.get("typed", 0) for r in rs}),
                    sorted({r.get("opened", -1) for r in rs}))
        b_init, b_enter, _, _ = fig(base)
        for n in counts:
            i2s, ent, typed, opened = fig(n)
            if not i2s and not ent:
                lines.append(f"| {label(p)} | {n} | not measured | | | | | |")
                continue
            lines.append(f"| {label(p)} | {n} | {'/'.join(map(str, typed))} "
                         f"| {'/'.join('?' if o < 0 else str(o) for o in opened)} | {spread(i2s)} | {spread(ent)} "
                         f"| {ratio(med(i2s), med(b_init))} | {ratio(med(ent), med(b_enter))} |")
    return lines


def run_volumes(a, build, peers, counts):
    """--volumes: N boots per peer and count, interleaved; writes and prints the table. The
    floor opens one volume only (floor.luks=): it has no row here."""
    peers = [p for p in peers if p != FLOOR]
    root_src = harness.build_disk(build, DISKS["luks"])
    vols = volume_disks(build, root_src, max(counts))
    images = {}
    for p in peers:
        images[p], err = build_image(build, p)
        if err:
            sys.exit(f"{p}: {err}")
    logdir = os.path.join(build, "bench", "logs")
    os.makedirs(logdir, exist_ok=True)
    res = {(p, n): [] for p in peers for n in counts}
    fails = []
    t0, load0 = time.monotonic(), loadavg()
    table = ""
    for i in range(a.boots):
        for n in counts:
            for p in peers:
                r = boot(build, images[p], vols[0], volumes_cmdline(p, n), PEERS[p]["prompt"],
                         extra_disks=vols[1:n], smp=VOL_SMP, mem=VOL_MEM, answers=n, timeout=240)
                log = os.path.join(logdir, f"{p}-vol{n}-{i}.log")
                with open(log, "w") as f:
                    f.write(r["console"])
                r["opened"] = volumes_opened(p, r["console"].encode())
                if "error" in r:
                    fails.append(f"{p} {n} volumes boot {i + 1}: {r['error']} ({log}: {tail(r['console'])})")
                else:
                    res[(p, n)].append(r)
        print(f"bench: volumes round {i + 1}/{a.boots} done ({time.monotonic() - t0:.0f}s)", file=sys.stderr)
        table = volumes_report(a, build, peers, counts, res, fails, t0, load0, i + 1)
    print(table)


def volumes_report(a, build, peers, counts, res, fails, t0, load0, rounds):
    """The --volumes table after ROUNDS rounds, written to BUILD/bench-volumes.md (or --out)
    after every round, so a run cut short still leaves its figures."""
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [f"Several LUKS2 volumes, {now}. Machine: "
             + machine().replace("-m 512 -smp 1", f"-m {VOL_MEM} -smp {VOL_SMP}") + ".",
             f"Kernel {open(os.path.join(build, 'kernel', 'kver')).read().strip()} (Debian). Volumes 1..N on "
             f"N virtio disks, LUKS2 argon2id ({VOL_KDF[0] // 1024} MiB, {VOL_KDF[1]} iterations, "
             f"{VOL_KDF[2]} thread) sharing one passphrase, the root (ext4) on volume 1, the others "
             f"empty; typed {TYPE_DELAY:g} s after each prompt. Medians of {rounds} boots per peer "
             f"and count (of {a.boots}), interleaved; {time.monotonic() - t0:.0f} s of boots; host load average "
             f"{load0} at the start, {loadavg()} at the end.", ""]
    lines += volumes_table(peers, res, counts) + [""]
    lines += [f"Failed boots: {x}" for x in fails]
    table = "\n".join(lines) + "\n"
    with open(a.out or os.path.join(build, "bench-volumes.md"), "w") as f:
        f.write(table)
    return table


def enter_boots(a, build, peers, images, img_of, disks, why, sel, logdir):
    """--enter-boots N: N more boots per peer on the LUKS disks, typed after --enter-delay;
    {(peer, disk): [Enter → stage 2 seconds]}."""
    slow = {}
    for i in range(a.enter_boots):
        for disk in [d for d in ENTER_DISKS if d in sel]:
            for p in peers:
                if (p, disk) in why:
                    continue
                r = boot(build, images[(p, img_of[disk])], disks[disk], PEERS[p][disk], PEERS[p]["prompt"],
                         delay=a.enter_delay)
                with open(os.path.join(logdir, f"{p}-{disk}-enter{a.enter_delay:g}-{i}.log"), "w") as f:
                    f.write(r["console"])
                if "enter" in r:
                    slow.setdefault((p, disk), []).append(r["enter"])
        print(f"bench: Enter round {i + 1}/{a.enter_boots} ({a.enter_delay:g} s) done", file=sys.stderr)
    return slow


def machine():
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    qv = subprocess.run(["qemu-system-x86_64", "--version"], capture_output=True, text=True).stdout.split("\n")[0]
    return (f"{os.cpu_count()} CPUs (nproc), {cpu}; {qv.replace('QEMU emulator version', 'QEMU')}, "
            f"TCG, no KVM, -m 512 -smp 1; host kernel {platform.release()}")


def med(xs):
    return statistics.median(xs) if xs else None


def fmt(x, unit=""):
    return "–" if x is None else f"{x:.2f}{unit}"


def spread(xs):
    """'median (min–max)'"""
    return "–" if not xs else f"{statistics.median(xs):.2f} ({min(xs):.2f}–{max(xs):.2f})"


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def ratio(a, b):
    return "–" if a is None or b is None or b == 0 else f"{a / b:.2f}"


def tail(console, n=4):
    """The first alarming console line (panic, failure, error), or the last lines."""
    lines = [ln.strip() for ln in console.splitlines() if ln.strip()]
    bad = [ln for ln in lines if "Kernel panic" in ln] + [
        ln for ln in lines if re.search(r"FAILED|[Ff]ailed|[Ee]rror|emergency", ln) and "tsc:" not in ln]
    return " / ".join(bad[:2] + lines[-2:] if bad else lines[-n:]).replace("|", "\\|")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default="build")
    ap.add_argument("--boots", type=int, default=5)
    ap.add_argument("--peers", default=",".join(ORDER))
    ap.add_argument("--out")
    ap.add_argument("--one", help="PEER:DISK (DISK: luks, plain, lvm or volN): one boot, console echoed")
    ap.add_argument("--probe", help="the static vmhwm-probe (initkit /init peak memory)")
    ap.add_argument("--scale", help="many devices instead (qemu/bench/devices.py): disks64,parts64")
    ap.add_argument("--old-init", help="--scale: initkit-init before the change, booted as one more peer")
    ap.add_argument("--old-rev", default="?", help="--scale: the revision --old-init was built from")
    ap.add_argument("--disks", default=",".join(DISKS), help="the disks of the timed rounds (luks,plain,lvm)")
    ap.add_argument("--enter-delay", type=float, default=3.0,
                    help="the typing pause of the extra Enter → stage 2 boots (s)")
    ap.add_argument("--enter-boots", type=int, default=0,
                    help="boots per peer and LUKS disk typed after --enter-delay (0: none)")
    ap.add_argument("--volumes", help="1,4,8: several LUKS2 argon2id volumes instead of the disks")
    a = ap.parse_args()
    build = os.path.abspath(a.build)
    if a.scale:
        import devices  # noqa: E402  (qemu/bench/devices.py)
        return devices.main(build, a.scale, a.peers, a.boots, a.out or os.path.join(build, "bench-devices.md"),
                            a.old_init and os.path.abspath(a.old_init), a.old_rev)
    os.makedirs(os.path.join(build, "bench"), exist_ok=True)
    if a.volumes:
        return run_volumes(a, build, [p for p in a.peers.split(",") if p], parse_counts(a.volumes))
    disks = {k: harness.build_disk(build, v) for k, v in DISKS.items()}

    if a.one and a.one.split(":")[1].startswith("vol"):  # PEER:volN
        peer, n = a.one.split(":")[0], int(a.one.split(":")[1][3:])
        vols = volume_disks(build, disks["luks"], n)
        img, err = build_image(build, peer)
        if err:
            sys.exit(err)
        r = boot(build, img, vols[0], volumes_cmdline(peer, n), PEERS[peer]["prompt"], echo=True,
                 extra_disks=vols[1:], smp=VOL_SMP, mem=VOL_MEM, answers=n, timeout=240)
        r["opened"] = volumes_opened(peer, r.pop("console").encode())
        r.pop("timeline", None)
        print("\nbench:", r)
        return
    if a.one:
        peer, disk = a.one.split(":")
        if not PEERS[peer].get(disk):
            sys.exit(f"{peer}: {disk} disk not measured: {PEERS[peer].get('lvm_why')}")
        img, err = build_image(build, peer, lvm=disk == "lvm")
        if err:
            sys.exit(err)
        r = boot(build, img, disks[disk], PEERS[peer][disk], PEERS[peer]["prompt"], echo=True)
        raw = "\n".join(TIMELINE_LINE.findall(KERNEL_MIDLINE.sub("", r.pop("console"))))
        tl = r.pop("timeline", None)
        print("\nbench:", r, "/init → stage 2 after the key:", fmt(after_key(dict(r, timeline=tl)), " s"))
        if tl:
            path = os.path.join(build, "bench", f"timeline-{peer}-{disk}.json")
            with open(path, "w") as f:
                f.write(raw + "\n")
            print("\n".join(breakdown_table([tl], DISK_LABEL[disk])))
            print(f"bench: timeline saved to {path}")
        return

    # Images: one per peer for the LUKS2 and ext4 disks, one more for the LVM-on-LUKS disk.
    # why[(peer, disk)]: why that peer is not measured on that disk.
    peers = [p for p in a.peers.split(",") if p]
    images, why = {}, {}
    for p in peers:
        for kind in ("main", "lvm"):
            ds = ["lvm"] if kind == "lvm" else ["luks", "plain"]
            if kind == "lvm" and not PEERS[p].get("lvm"):
                why[(p, "lvm")] = PEERS[p].get("lvm_why", "no command line")
                continue
            images[(p, kind)], err = build_image(build, p, lvm=kind == "lvm")
            if err:
                why.update({(p, d): err for d in ds})
    img_of = {d: ("lvm" if d == "lvm" else "main") for d in DISKS}
    logdir = os.path.join(build, "bench", "logs")
    os.makedirs(logdir, exist_ok=True)

    # Timed rounds, interleaved: A B C D (LUKS), A B C D (plain), A B C D (LVM), repeated.
    res = {(p, d): [] for p in peers for d in DISKS}
    fails = {(p, d): 0 for p in peers for d in DISKS}
    t0 = time.monotonic()
    load0 = loadavg()
    sel = [d for d in DISKS if d in a.disks.split(",")]
    for i in range(a.boots):
        for disk in sel:
            for p in peers:
                if (p, disk) in why:
                    continue
                r = boot(build, images[(p, img_of[disk])], disks[disk], PEERS[p][disk], PEERS[p]["prompt"])
                log = os.path.join(logdir, f"{p}-{disk}-{i}.log")
                with open(log, "w") as f:
                    f.write(r["console"])
                if "error" not in r:
                    res[(p, disk)].append(r)
                    continue
                fails[(p, disk)] += 1
                if i == 0:  # a peer that fails its first boot of a disk is reported, not retried
                    why[(p, disk)] = f"{r['error']}; console ({log}): {tail(r['console'])}"
        print(f"bench: round {i + 1}/{a.boots} done ({time.monotonic() - t0:.0f}s)", file=sys.stderr)
    slow = enter_boots(a, build, peers, images, img_of, disks, why, sel, logdir)

    # initkit's /init peak memory: untimed boots of an image with the probe hook (LUKS only:
    # initkit runs hooks before unlocking).
    mem = []
    if "initkit" in peers and ("initkit", "luks") not in why and a.probe:
        img, err = build_image(build, "initkit", probe=os.path.abspath(a.probe))
        for _ in range(2 if not err else 0):
            r = boot(build, img, disks["luks"], PEERS["initkit"]["luks"], PEERS["initkit"]["prompt"])
            if "vmhwm" in r:
                mem.append(r)

    # The table.
    stats = {}
    res = {k: v for k, v in res.items() if k[1] in sel}
    for (p, d), rs in res.items():
        k2s = [r["uptime"] for r in rs]
        i2s = [r["uptime"] - r["init"] for r in rs if "init" in r]
        host = [r["host"] for r in rs if "host" in r]
        i2k = [x for x in (after_key(r) for r in rs) if x is not None]
        stats[(p, d)] = (med(k2s), med(i2s), med(host), len(rs), spread(k2s), spread(i2s), med(i2k),
                         spread(i2k))
    sizes = {k: (os.path.getsize(img),) + count_entries(build, img) for k, img in images.items() if img}
    ik = "initkit"
    lines = []
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines.append(f"Boot benchmark, {now}. Machine: {machine()}.")
    lines.append(f"Kernel {open(os.path.join(build, 'kernel', 'kver')).read().strip()} (Debian), "
                 f"LUKS2 root: pbkdf2 1000 iterations, passphrase typed on the console when the peer "
                 f"prompts; plain root: ext4; LVM on LUKS2: Debian's encrypted-LVM layout (the same LUKS2, "
                 f"VG debian-vg, LV root), separate images with the peer's LVM support. "
                 f"Medians of {a.boots} boots per image and disk, interleaved; "
                 f"{time.monotonic() - t0:.0f} s of boots; host load average {load0} at the start, {loadavg()} at the end.")
    lines.append("")
    lines.append("| initramfs | root | kernel start → stage 2 (s): median (min–max) | /init → stage 2 (s): median (min–max) | QEMU start → stage 2, host (s) "
                 "| image (zstd, as booted) | files / entries | initkit ÷ peer: kernel → stage 2 | initkit ÷ peer: /init → stage 2 "
                 "| initkit ÷ peer: image size | /init → stage 2 after the key (s) | ÷ floor |")
    lines.append("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for p in peers:
        label = PEERS[p]["label"]
        for d in sel:
            kind = img_of[d]
            size = sizes.get((p, kind))
            sz = f"{size[0] / 1e6:.2f} MB" if size else "–"
            fe = f"{size[1]} / {size[2]}" if size else "–"
            if (p, d) in why:
                lines.append(f"| {label} | {DISK_LABEL[d]} | not measured: {why[(p, d)]} | | | {sz} | {fe} | | | | | |")
                continue
            k2s, i2s, host, n, k2s_s, i2s_s, i2k, i2k_s = stats[(p, d)]
            fl = stats[(FLOOR, d)][6] if (FLOOR, d) in stats and (FLOOR, d) not in why else None
            ik2s, ii2s = stats[(ik, d)][:2] if (ik, d) in stats and (ik, d) not in why else (None, None)
            note = f" ({n} ok, {fails[(p, d)]} failed)" if fails[(p, d)] else ""
            iks = sizes.get((ik, kind))
            rsz = ratio(iks[0], size[0]) if iks and size else "–"
            lines.append(f"| {label} | {DISK_LABEL[d]}{note} | {k2s_s} | {i2s_s} | "
                         f"{fmt(host)} | {sz} | {fe} | {ratio(ik2s, k2s) if p != ik else '1'} | "
                         f"{ratio(ii2s, i2s) if p != ik else '1'} | {rsz if p != ik else '1'} | "
                         f"{i2k_s} | {floor_ratio(i2k, fl)} |")
    lines.append("")

    def cost(a_disk, b_disk, col=0):
        return ", ".join(
            f"{p} {fmt(stats[(p, a_disk)][col] - stats[(p, b_disk)][col], ' s')}"
            for p in peers if (p, a_disk) not in why and (p, b_disk) not in why
            and (p, a_disk) in stats and (p, b_disk) in stats
            and stats[(p, a_disk)][col] is not None and stats[(p, b_disk)][col] is not None)

    lines.append("/init → stage 2 after the key: each boot's /init → stage 2 minus its wait at the passphrase "
                 "prompt (every peer alike: prompt seen → line sent, by the harness; "
                 f"{TYPE_DELAY} s typing delay). ÷ floor: that median over the floor's for the same disk "
                 "in this run (the floor never prompts: qemu/bench/floor-init.c).")
    if cost("luks", "plain"):  # not when --disks leaves out one of them
        lines.append("Unlock cost (median LUKS2 − median ext4, kernel start → stage 2): " + cost("luks", "plain") + ".")
    lines.append("LVM cost (median LVM-on-LUKS − median LUKS2, kernel start → stage 2): " + cost("lvm", "luks")
                 + "; /init → stage 2: " + cost("lvm", "luks", 1) + ".")
    init = os.path.join(build, "stripped", "initkit-init")
    lines.append(f"initkit: static /init {os.path.getsize(init) / 1e6:.2f} MB (stripped); " + (
        "peak memory of /init (VmHWM just before stage 2, LUKS2 boot): "
        + ", ".join(f"{r['vmhwm'] / 1024:.1f} MiB" for r in mem) + "." if mem else
        "peak memory of /init: not measured."))
    fast = {k: [r["enter"] for r in rs if "enter" in r] for k, rs in res.items()}
    if any(fast.values()):
        lines += [f"Enter → stage 2: host seconds from sending the passphrase line to reading the stage-2 "
                  f"marker's line on the serial console, the same clock and console for every peer"
                  + (f"; the {a.enter_delay:g} s column: {a.enter_boots} more boots per peer and disk, "
                     "interleaved, after the rounds above" if slow else "") + ":", ""]
        lines += enter_table(peers, fast, slow, a.enter_delay) + [""]
    for d in DISKS:
        tls = [r["timeline"] for r in res.get((ik, d), []) if "timeline" in r]
        if tls:
            lines += breakdown_table(tls, DISK_LABEL[d]) + [""]
    table = "\n".join(lines) + "\n"
    out = a.out or os.path.join(build, "bench-boot.md")
    with open(out, "w") as f:
        f.write(table)
    print(table)
    if why:
        print("bench: some peers were not measured on some disks (see the table)", file=sys.stderr)


if __name__ == "__main__":
    main()
