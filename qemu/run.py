#!/usr/bin/env python3
"""initkit QEMU harness: boots Debian's kernel with an initkit image and test disks under TCG,
one scenario file per behaviour (qemu/scenarios/*.scn), and checks the serial console.

Scenario file: one directive per line, '#' comments. Directives:
  mkimage: ARGS      extra arguments for initkit-mkimage (kernel modules dir is added)
  disk: RECIPE [k=v] a virtio disk built by qemu/disks.sh (repeatable; order = vda, vdb, ...);
                     @if=nvme|ahci attaches it as an NVMe controller's namespace or to q35's
                     AHCI controller (ide-hd) instead of virtio-blk; @if=nvme-subsys as the
                     namespace of an NVMe subsystem (native multipath: the kernel's
                     /sys/devices/virtual/nvme-subsystem/ layout)
  disks: N RECIPE [k=v]  N virtio disks of one recipe (built once; for machines with many
                     disks). With more than 16 virtio disks in all, every virtio disk is placed
                     as a function of a multifunction slot on q35's bus 0 (8 per slot, from slot
                     8), in scenario order: PCI probes them, and names them vda, vdb, ..., in it
  qemu: ARGS         extra QEMU arguments (-device usb-kbd, ...; @BUILD@ is replaced)
  rootfs: NAME       attach BUILD/rootfs-systemd/NAME.img (qemu/rootfs-systemd.sh) as the next
                     virtio disk (a Debian system with systemd, for the stage-2 scenarios)
  disk-fresh: RECIPE a disk built by qemu/disks.sh for every run, never cached (for disks that
                     carry this build's binaries, e.g. guest-tools)
  disk-late: RECIPE  a disk built but not attached at boot: `hotplug: N` attaches the N-th
                     late disk through the monitor (PCIe hot-plug into a root port)
  append: ARGS       kernel command line (added after console=ttyS0 panic=-1)
  kernel: PATH       the kernel to boot, relative to BUILD (default: Debian's, kernel/vmlinuz)
  timeout: SECONDS   whole-boot limit (default 90)
  expect: REGEX      wait for a console line matching REGEX (in order)
  send: TEXT         type TEXT and Enter on the console (after the preceding expect)
  send-raw: TEXT     type TEXT without Enter; Python escapes allowed (\x03 is Ctrl-C)
  monitor: CMD       send CMD to the QEMU monitor, after the preceding steps
  hotplug: N         hot-plug late disk N (drive_add + device_add on the monitor)
  sleep: SECONDS     wait before the next step
  forbid: REGEX      must never appear on the console (checked over the whole log)
  unchanged: N OFFSET LENGTH  after QEMU exits, bytes OFFSET..+LENGTH of disk N are the same
                     as before the boot (the run's overlay against the pristine disk)
  reboot: [ARGS]     after QEMU has powered off (e.g. hibernated; or entered ACPI S4, which
                     ends QEMU too), boot again with the same
                     disks as they are now (the run's overlays) and the same image; ARGS
                     replace the 'append:' ones for this and later boots
  initrd-from: N     the next reboot: boots the image the guest wrote to disk N (a 4 KiB header
                     "initkit-image SIZE SHA256", the image from byte 4096; checked) instead of
                     the one the harness built: for images built inside the guest
  memory: MIB        guest memory (default 512)
  tpm: disk N|fresh  a TPM 2.0 (tpm-tis) backed by swtpm, started and stopped by the harness,
                     on a fresh copy of the state disk N was enrolled with (disks.sh luks2-tpm2)
                     or on an empty state (a different TPM); single-boot scenarios only
  exit: poweroff|any|kill  the run must end with QEMU powering off (default), exiting in any
                     way, or (kill) is ended by the harness once every step has passed
Prints one line per scenario and a closing 'N passed, N failed'. On failure it prints the tail
of the console log (kept under BUILD/qemu/logs/NAME.log).
"""
import argparse
import hashlib
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


class Scenario:
    def __init__(self, path):
        self.path = path
        self.name = os.path.splitext(os.path.basename(path))[0]
        self.mkimage, self.disks, self.append, self.late = [], [], [], []
        self.disk_ifs, self.qemu = [], []
        self.unchanged = []
        self.steps, self.forbid = [], []
        self.timeout, self.exit = 90.0, "poweroff"
        self.memory = 512
        self.tpm = None
        self.kernel = "kernel/vmlinuz"
        with open(path) as f:
            for lineno, raw in enumerate(f, 1):
                line = raw.rstrip("\n")
                if not line.strip() or line.lstrip().startswith("#"):
                    continue
                key, sep, val = line.partition(":")
                key, val = key.strip(), val.strip()
                if not sep:
                    raise SystemExit(f"{path}:{lineno}: expected 'directive: value', got {line!r}")
                if key == "mkimage":
                    self.mkimage += shlex.split(val)
                elif key == "disk":
                    args = shlex.split(val)
                    iface = next((a[4:] for a in args if a.startswith("@if=")), "virtio")
                    if iface not in ("virtio", "nvme", "ahci", "nvme-subsys"):
                        raise SystemExit(f"{path}:{lineno}: @if={iface}: expected nvme, nvme-subsys or ahci")
                    self.disk_ifs.append(iface)
                    self.disks.append([a for a in args if not a.startswith("@if=")])
                elif key == "disks":
                    count, *args = shlex.split(val)
                    self.disks += [args] * int(count)
                    self.disk_ifs += ["virtio"] * int(count)
                elif key == "qemu":
                    self.qemu += shlex.split(val)
                elif key == "disk-fresh":
                    self.disks.append(["@FRESH@"] + shlex.split(val))
                    self.disk_ifs.append("virtio")
                elif key == "rootfs":
                    self.disks.append(["@ROOTFS@", val])
                    self.disk_ifs.append("virtio")
                elif key == "disk-late":
                    self.late.append(shlex.split(val))
                elif key == "append":
                    self.append.append(val)
                elif key == "kernel":
                    self.kernel = val
                elif key == "tpm":
                    self.tpm = val
                elif key == "memory":
                    self.memory = int(val)
                elif key == "timeout":
                    self.timeout = float(val)
                elif key == "exit":
                    self.exit = val
                elif key == "unchanged":
                    self.unchanged.append(tuple(int(x, 0) for x in val.split()))
                elif key == "forbid":
                    self.forbid.append(re.compile(val))
                elif key in ("expect", "send", "send-raw", "monitor", "sleep", "hotplug", "reboot",
                             "initrd-from"):
                    self.steps.append((key, re.compile(val) if key == "expect" else val, lineno))
                else:
                    raise SystemExit(f"{path}:{lineno}: unknown directive {key!r}")


def build_disk(build, recipe):
    """Disks are cached by recipe and the inputs that shape them."""
    h = hashlib.sha256(" ".join(recipe).encode())
    for dep in ("qemu/disks.sh", "build:qemu/stage2-marker", "build:qemu/hibernate-probe?"):
        p = os.path.join(build, dep[6:]) if dep.startswith("build:") else os.path.join(HERE, "..", dep)
        if p.endswith("?"):  # put on the disks only when built
            p = p[:-1]
            if not os.path.exists(p):
                continue
        h.update(open(p, "rb").read())
    out = os.path.join(build, "qemu", "disks", f"{recipe[0]}-{h.hexdigest()[:12]}.img")
    if not os.path.exists(out):
        os.makedirs(os.path.dirname(out), exist_ok=True)
        subprocess.run([os.path.join(HERE, "disks.sh"), build, out + ".tmp"] + recipe, check=True, cwd=HERE)
        if os.path.isdir(out + ".tmp.tpm"):  # the TPM state it was sealed to (luks2-tpm2)
            shutil.rmtree(out + ".tpm", ignore_errors=True)
            os.rename(out + ".tmp.tpm", out + ".tpm")
        os.rename(out + ".tmp", out)
    return out


def run(sc, build, verbose):
    kdir = os.path.join(build, "kernel")
    kver = open(os.path.join(kdir, "kver")).read().strip()
    wd = os.path.join(build, "qemu", "run", sc.name)
    os.makedirs(wd, exist_ok=True)
    logdir = os.path.join(build, "qemu", "logs")
    os.makedirs(logdir, exist_ok=True)
    log_path = os.path.join(logdir, sc.name + ".log")
    image = os.path.join(wd, "initrd.img")
    # Disks first: a detached LUKS header made with a disk goes into the image. Disks that
    # carry the image itself (@IMAGE@, for kexec) are made after it, uncached.
    def subst(args):
        return [a.replace("@BUILD@", build).replace("@IMAGE@", image) for a in args]
    def early(d):
        if d[0] == "@ROOTFS@":  # built and kept current by qemu/rootfs-systemd.sh
            return os.path.join(build, "rootfs-systemd", d[1] + ".img")
        if d[0] == "@FRESH@":
            return None
        return None if any("@IMAGE@" in a for a in d) else build_disk(build, subst(d))
    disks = [early(d) for d in sc.disks]
    env = dict(os.environ, SOURCE_DATE_EPOCH="1700000000", INITKIT_BUILD=build)
    mk = [os.path.join(build, "stripped", "initkit-mkimage"), "-o", image,
          "--init", os.path.join(build, "stripped", "initkit-init"),
          "--kver", kver, "--moddir", os.path.join(kdir, "root", "lib", "modules", kver)] + \
        [a.replace("@BUILD@", build) for a in sc.mkimage]
    r = subprocess.run(mk, env=env, cwd=HERE, capture_output=True, text=True)
    if r.returncode != 0:
        return False, f"initkit-mkimage failed: {r.stderr.strip()}", ""
    for i, d in enumerate(sc.disks):
        if disks[i] is None:
            disks[i] = os.path.join(wd, f"disk{i}.img")
            subprocess.run([os.path.join(HERE, "disks.sh"), build, disks[i]] + subst(d[1:] if d[0] == "@FRESH@" else d),
                           check=True, cwd=HERE)
    # Each run gets a private copy-on-write overlay so cached disks stay pristine.
    drives = []
    many_virtio = sc.disk_ifs.count("virtio") > 16  # more than bus 0's free slots
    for i, d in enumerate(disks):
        ov = os.path.join(wd, f"disk{i}.qcow2")
        if os.path.exists(ov):
            os.unlink(ov)
        subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", "-F", "raw", "-b", d, ov], check=True)
        iface = sc.disk_ifs[i]
        dev = {"nvme": f"nvme,drive=d{i},serial=disk{i}",
               "ahci": f"ide-hd,drive=d{i},bus=ide.{sc.disk_ifs[:i].count('ahci')}",
               }.get(iface, f"virtio-blk-pci,drive=d{i},serial=disk{i}")
        if iface == "virtio" and many_virtio:
            dev += multifunction_addr(sc.disk_ifs[:i].count("virtio"))
        drives += ["-drive", f"file={ov},if=none,id=d{i},format=qcow2"]
        if iface == "nvme-subsys":
            drives += ["-device", f"nvme-subsys,id=ss{i},nqn=initkit-ss{i}",
                       "-device", f"nvme,serial=disk{i},subsys=ss{i}",
                       "-device", f"nvme-ns,drive=d{i},nsid=1"]
        else:
            drives += ["-device", dev]
    late = []
    for i, d in enumerate(sc.late):
        ov = os.path.join(wd, f"late{i}.qcow2")
        if os.path.exists(ov):
            os.unlink(ov)
        subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", "-F", "raw", "-b",
                        build_disk(build, subst(d)), ov], check=True)
        late.append(ov)
    # Empty PCIe root ports to hot-plug late disks into.
    drives += sum([["-device", f"pcie-root-port,id=rp{i},chassis={i + 1}"] for i in range(len(late))], [])
    mon = os.path.join(wd, "monitor.sock")
    swtpm, tpm_args = start_swtpm(sc, wd, disks)
    def start_qemu(append, initrd=image):
        # no_timer_check: a loaded TCG host can make the kernel's IO-APIC timer check fail
        # ("IO-APIC + timer doesn't work!", a panic); virtualised kernels skip it anyway
        cmdline = " ".join(["console=ttyS0 panic=-1 no_timer_check"] + append)
        qemu = ["qemu-system-x86_64", "-machine", "q35", "-m", str(sc.memory), "-smp", "1",
                "-display", "none", "-no-reboot", "-serial", "stdio",
                "-monitor", f"unix:{mon},server,nowait",
                "-kernel", os.path.join(build, sc.kernel), "-initrd", initrd, "-append", cmdline] + drives + \
            [a.replace("@BUILD@", build) for a in sc.qemu] + tpm_args
        if os.path.exists(mon):
            os.unlink(mon)
        proc = subprocess.Popen(qemu, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        os.set_blocking(proc.stdout.fileno(), False)
        return proc
    start = time.monotonic()
    p = start_qemu(sc.append)
    boots = 1
    out = b""
    pos = 0
    failure = None
    steps = list(sc.steps)
    wait_until = 0.0
    initrd_disk = None  # initrd-from: the disk the next boot's image comes from
    with open(log_path, "wb") as log:
        while True:
            now = time.monotonic()
            if now - start > sc.timeout:
                failure = f"timeout after {sc.timeout:.0f}s"
                break
            try:
                chunk = p.stdout.read()
            except BlockingIOError:
                chunk = None
            if chunk:
                out += chunk
                log.write(chunk)
                log.flush()
                if verbose:
                    sys.stdout.write(chunk.decode(errors="replace"))
            text = out.decode(errors="replace")
            while steps and now >= wait_until:
                kind, val, lineno = steps[0]
                if kind == "expect":
                    m = val.search(text, pos)
                    if not m:
                        break
                    pos = m.end()
                elif kind == "send":
                    p.stdin.write(val.encode() + b"\r")
                    p.stdin.flush()
                elif kind == "send-raw":
                    p.stdin.write(val.encode().decode("unicode_escape").encode("latin-1"))
                    p.stdin.flush()
                elif kind == "sleep":
                    wait_until = now + float(val)
                elif kind == "reboot":
                    if p.poll() is None:
                        break  # still running: wait for it to power off
                    rest = p.stdout.read() or b""
                    out += rest
                    log.write(rest)
                    text = out.decode(errors="replace")
                    # a power-off, or ACPI S4 after the image was written (systemd's default
                    # HibernateMode=platform: QEMU then exits without "Power down")
                    this_boot = text[max(text.rfind("=== run.py: boot "), 0):]
                    if "reboot: Power down" not in text[pos:] and not (
                            p.returncode == 0 and "PM: Image saving done" in this_boot):
                        failure = f"line {lineno}: boot {boots} did not power off before 'reboot:'"
                        break
                    pos = len(text)
                    initrd = image
                    if initrd_disk is not None:
                        initrd = os.path.join(wd, f"initrd-boot{boots + 1}.img")
                        bad = initrd_from_disk(os.path.join(wd, f"disk{initrd_disk}.qcow2"), initrd)
                        if bad:
                            failure = f"line {lineno}: initrd-from: disk {initrd_disk}: {bad}"
                            break
                        initrd_disk = None
                    marker = f"\n=== run.py: boot {boots + 1} (line {lineno}) ===\n".encode()
                    if initrd != image:
                        marker += f"=== run.py: initrd from the guest: {os.path.getsize(initrd)} bytes ===\n".encode()
                    out += marker
                    log.write(marker)
                    p = start_qemu(shlex.split(val) and [val] or sc.append, initrd)
                    boots += 1
                elif kind == "initrd-from":
                    initrd_disk = int(val)
                elif kind in ("monitor", "hotplug"):
                    cmds = [val]
                    if kind == "hotplug":
                        n = int(val)
                        cmds = [f"drive_add 0 if=none,id=late{n},file={late[n]},format=qcow2",
                                f"device_add virtio-blk-pci,drive=late{n},bus=rp{n},id=lateblk{n}"]
                    with socket.socket(socket.AF_UNIX) as s:
                        s.connect(mon)
                        for c in cmds:
                            s.sendall(c.encode() + b"\n")
                            time.sleep(0.3)
                steps.pop(0)
            if failure:
                break
            if not steps and sc.exit == "kill":
                break
            if p.poll() is not None and not (steps and steps[0][0] == "reboot"):
                rest = p.stdout.read() or b""
                out += rest
                log.write(rest)
                if rest and steps:
                    continue  # output that came during a step (hotplug's pauses): match it too
                break
            time.sleep(0.05)
    elapsed = time.monotonic() - start
    if p.poll() is None:
        p.kill()
        p.wait()
    if swtpm:
        swtpm.kill()
        swtpm.wait()
    text = out.decode(errors="replace")
    if not failure and steps:
        kind, val, lineno = steps[0]
        failure = f"QEMU exited before line {lineno}: {kind} {getattr(val, 'pattern', val)!r}"
    last_boot = text.rfind("=== run.py: boot ")
    if not failure and sc.exit == "poweroff" and "reboot: Power down" not in text[max(last_boot, 0):]:
        failure = "did not power off cleanly"
    if failure and steps and "timeout" in failure:
        kind, val, lineno = steps[0]
        failure += f", waiting for line {lineno}: {kind} {getattr(val, 'pattern', val)!r}"
    for fb in sc.forbid:
        m = fb.search(text)
        if m:
            failure = failure or f"forbidden output {fb.pattern!r}: {m.group(0)!r}"
    for n, off, length in sc.unchanged:
        failure = failure or disk_range_changed(disks[n], os.path.join(wd, f"disk{n}.qcow2"), off, length)
    return failure is None, failure or f"{elapsed:.1f}s", text


def multifunction_addr(n):
    """The PCI address of the n-th virtio disk of a scenario with many: function n % 8 of
    slot 8 + n // 8 on q35's bus 0 (32 slots, a few taken by the machine), so 64 disks fit
    without bridges. Function 0 carries multifunction=on, as a real multi-function card."""
    slot, fn = 8 + n // 8, n % 8
    if slot > 0x1e:
        raise SystemExit(f"disks: virtio disk {n} does not fit on bus 0 (at most {(0x1f - 8) * 8})")
    return f",addr={slot:#x}.{fn}" + (",multifunction=on" if fn == 0 else "")


SWTPMS = []  # every swtpm started, ended after its scenario whatever happened


def start_swtpm(sc, wd, disks):
    """swtpm for `tpm:` on a fresh copy of the state (the cached disk's stays pristine)."""
    if not sc.tpm:
        return None, []
    st = os.path.join(wd, "tpm")
    shutil.rmtree(st, ignore_errors=True)
    if sc.tpm == "fresh":
        os.makedirs(st)
    else:
        shutil.copytree(disks[int(sc.tpm.split()[1])] + ".tpm", st)
    sock = os.path.join(st, "sock")
    proc = subprocess.Popen(["swtpm", "socket", "--tpm2", "--tpmstate", f"dir={st}",
                             "--ctrl", f"type=unixio,path={sock}", "--terminate"],
                            stdout=subprocess.DEVNULL, stderr=open(os.path.join(wd, "swtpm.log"), "wb"))
    SWTPMS.append(proc)
    deadline = time.monotonic() + 30
    while not os.path.exists(sock) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    if not os.path.exists(sock):
        raise OSError(f"swtpm did not create {sock} (exit {proc.poll()}; see {wd}/swtpm.log)")
    return proc, ["-chardev", f"socket,id=chrtpm,path={sock}",
                  "-tpmdev", "emulator,id=tpm0,chardev=chrtpm", "-device", "tpm-tis,tpmdev=tpm0"]


def initrd_from_disk(overlay, out):
    """Copy the image a guest wrote to a raw scratch disk (overlay: the run's qcow2) to out:
    a header line "initkit-image SIZE SHA256" in the first 4 KiB, the image from byte 4096.
    None when it is there and its checksum matches, else what is wrong."""
    raw = out + ".disk"
    subprocess.run(["qemu-img", "convert", "-f", "qcow2", "-O", "raw", overlay, raw], check=True)
    try:
        with open(raw, "rb") as f:
            head = f.read(4096).split(b"\n", 1)[0].decode(errors="replace").split()
            if len(head) != 3 or head[0] != "initkit-image" or not head[1].isdigit():
                return f"no image header at byte 0 (found {' '.join(head)[:60]!r})"
            data = f.read(int(head[1]))
    finally:
        os.unlink(raw)
    if len(data) != int(head[1]) or hashlib.sha256(data).hexdigest() != head[2]:
        return f"the image ({len(data)} of {head[1]} bytes) does not match its sha256 {head[2][:16]}"
    with open(out, "wb") as f:
        f.write(data)
    return None


def disk_range_changed(base, overlay, off, length):
    """None when overlay (the disk after the run) has the bytes of base at off..+length."""
    out = overlay + ".range"
    if os.path.exists(out):
        os.unlink(out)
    subprocess.run(["qemu-img", "dd", "-f", "qcow2", "-O", "raw", f"if={overlay}", f"of={out}",
                    "bs=512", f"skip={off // 512}", f"count={(off + length) // 512}"], check=True,  # count: from 0
                   capture_output=True)
    with open(out, "rb") as f:
        after = f.read()
    with open(base, "rb") as f:
        f.seek(off)
        before = f.read(length)
    if len(after) != length or len(before) != length:
        return f"unchanged: cannot read {length} bytes at {off} (got {len(before)}/{len(after)})"
    if after != before:
        first = next(i for i in range(length) if after[i] != before[i])
        return (f"unchanged: disk bytes {off}..+{length} were written (first difference at "
                f"{off + first}; sha256 {hashlib.sha256(before).hexdigest()[:16]} -> "
                f"{hashlib.sha256(after).hexdigest()[:16]})")
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default="build")
    ap.add_argument("-v", "--verbose", action="store_true", help="echo the console")
    ap.add_argument("scenarios", nargs="+")
    a = ap.parse_args()
    build = os.path.abspath(a.build)
    passed = failed = 0
    for path in a.scenarios:
        sc = Scenario(path)
        try:
            ok, why, text = run(sc, build, a.verbose)
        except (OSError, subprocess.CalledProcessError) as e:
            ok, why, text = False, f"harness error: {e}", ""
        finally:
            for tpm in SWTPMS:
                if tpm.poll() is None:
                    tpm.kill()
                    tpm.wait()
            SWTPMS.clear()
        print(f"{'PASS' if ok else 'FAIL'} {sc.name}: {why}", flush=True)
        if ok:
            passed += 1
        else:
            failed += 1
            tail = text.splitlines()[-25:]
            print("  --- console tail (" + os.path.join(build, "qemu", "logs", sc.name + ".log") + ")")
            for line in tail:
                print("  | " + line)
    print(f"qemu: {passed} passed, {failed} failed")
    sys.exit(1 if failed or not passed else 0)


if __name__ == "__main__":
    main()
