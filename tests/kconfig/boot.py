#!/usr/bin/env python3
"""End to end for kconfig/initkit.kcm: boot the kernel built by tests/kconfig/kernel.sh
(tinyconfig + initkit.kcm, everything built in, no modules) with an initkit image and a LUKS2
argon2id root on a virtio disk under QEMU; the passphrase is typed on the serial console, stage
2 must be reached and `poweroff` must end QEMU (ACPI).

Usage: tests/kconfig/boot.py BUILD_DIR
Uses the QEMU harness's disk builder (qemu/disks.sh) and the initkit binaries from BUILD_DIR."""
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
build = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build")
wd = os.path.join(build, "kconfig", "boot")
os.makedirs(os.path.join(wd, "moddir"), exist_ok=True)
kernel = os.path.join(build, "kconfig", "bzImage")
disk = os.path.join(wd, "luks2-argon2id.img")
image = os.path.join(wd, "initrd.img")
LUKS_UUID = "7b2d3d6f-5b5f-4e1c-8e6a-2a1c8b3f0002"  # qemu/disks.sh's default
PASS = "initkit-test-passphrase"

if not os.path.exists(disk):
    subprocess.run([os.path.join(ROOT, "qemu", "disks.sh"), build, disk + ".tmp", "luks2-argon2id"],
                   check=True, cwd=os.path.join(ROOT, "qemu"))
    os.rename(disk + ".tmp", disk)
# No modules: the kernel has everything built in (an empty module directory).
subprocess.run([os.path.join(build, "stripped", "initkit-mkimage"), "-q", "-o", image,
                "--init", os.path.join(build, "stripped", "initkit-init"),
                "--kver", "initkit-tiny", "--moddir", os.path.join(wd, "moddir")], check=True)
overlay = os.path.join(wd, "disk.qcow2")
if os.path.exists(overlay):
    os.unlink(overlay)
subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", "-F", "raw", "-b", disk, overlay], check=True)
cmdline = (f"console=ttyS0 panic=-1 rd.luks.name={LUKS_UUID}=croot root=/dev/mapper/croot "
           "rd.emergency=poweroff")
qemu = ["qemu-system-x86_64", "-machine", "q35", "-m", "512", "-smp", "1", "-display", "none",
        "-no-reboot", "-serial", "stdio", "-monitor", "none", "-kernel", kernel, "-initrd", image,
        "-append", cmdline, "-drive", f"file={overlay},if=none,id=d0,format=qcow2",
        "-device", "virtio-blk-pci,drive=d0"]
steps = [(r"Passphrase for croot", PASS), (r"is /dev/mapper/croot", None),
         (r"INITKIT-STAGE2 reached: pid=1", None)]
start = time.monotonic()
p = subprocess.Popen(qemu, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
os.set_blocking(p.stdout.fileno(), False)
out, pos, failure, first_init = b"", 0, None, None
with open(os.path.join(wd, "console.log"), "wb") as log:
    while True:
        if time.monotonic() - start > 180:
            failure = "timeout"
            break
        chunk = p.stdout.read()
        if chunk:
            out += chunk
            log.write(chunk)
        text = out.decode(errors="replace")
        if first_init is None and "initkit" in text:
            first_init = time.monotonic() - start
        while steps:
            m = re.compile(steps[0][0]).search(text, pos)
            if not m:
                break
            pos = m.end()
            if steps[0][1]:
                p.stdin.write(steps[0][1].encode() + b"\n")
                p.stdin.flush()
            steps.pop(0)
        if re.search(r"Kernel panic|boot failed", text):
            failure = "kernel panic or boot failure"
            break
        if p.poll() is not None:
            out += p.stdout.read() or b""
            break
        time.sleep(0.05)
if p.poll() is None:
    p.kill()
    failure = failure or "QEMU did not exit (poweroff without ACPI?)"
if steps and not failure:
    failure = f"never saw: {steps[0][0]}"
elapsed = time.monotonic() - start
if failure:
    print(f"FAIL kconfig boot: {failure}; console tail:")
    print("\n".join(out.decode(errors="replace").splitlines()[-15:]))
    sys.exit(1)
print(f"ok   kconfig boot: tinyconfig + initkit.kcm kernel opened a LUKS2 argon2id root, reached "
      f"stage 2 and powered off ({elapsed:.1f} s, initkit after {first_init or 0:.1f} s)")
