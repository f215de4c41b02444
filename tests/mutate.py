#!/usr/bin/env python3
"""Mutation check: does a test fail when a protection breaks?

Each file in tests/mutants/ (NAME.mut) is one single-point change that a real bug could look
like, and names the check that must notice it:

    # free comment lines
    file: initrd/luks_decide.c
    protects: one line: what the change removes
    check: luks_decide                        (a unit test: tests/test_luks_decide)
    check: luks-cloned-disk.scn               (a QEMU scenario in qemu/scenarios/)
    check: make:mkimage-check                 (a make target; the programs are built first)
    --- find
    exact text, occurring exactly once in the file (all lines up to '--- replace')
    --- replace
    what it becomes (all lines to the end of the file)

The current work tree (tracked and untracked-but-not-ignored files) is copied to
BUILD/mutate/src and built in BUILD/mutate/build, with BUILD's deps, kernel, rootfs-systemd and
test disks linked in (never rebuilt there). Every check a selected mutant uses must pass on the
unmutated copy first (a check that fails there is not used: a mutant it alone would judge is
UNJUDGED). Then each mutant is applied alone, its checks run in order until one
fails (killed) or all pass (SURVIVED), and the file is restored. A find text that is not in the
file exactly once makes the mutant STALE, a mutant that does not build is BROKEN: both are
errors, so the list is kept up to date as the code moves.

Usage: tests/mutate.py [--build BUILD] [--no-baseline] [NAME...]   (make mutate [MUTANTS=...])
Exit status 0 only when every mutant was killed.
"""
import argparse
import os
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
MUTANTS = os.path.join(HERE, "mutants")
# Built once in BUILD and shared; the scratch copy must never remake them (make -o).
SHARED = ["deps", "kernel", "rootfs-systemd"]
STAMPS = ["deps/.stamp", "kernel/.stamp", "rootfs-systemd/.images"]
UNIT_TIMEOUT = 300


class Mutant:
    def __init__(self, path):
        self.name = os.path.splitext(os.path.basename(path))[0]
        self.file = self.protects = None
        self.checks = []
        head, sep, rest = open(path).read().partition("\n--- find\n")
        find, sep2, replace = rest.partition("\n--- replace\n")
        if not sep or not sep2:
            raise SystemExit(f"{path}: needs a '--- find' and a '--- replace' line")
        self.find, self.replace = find, replace.rstrip("\n")
        for line in head.splitlines():
            if not line.strip() or line.startswith("#"):
                continue
            key, _, val = line.partition(":")
            key, val = key.strip(), val.strip()
            if key == "file":
                self.file = val
            elif key == "protects":
                self.protects = val
            elif key == "check":
                self.checks.append(val)
            else:
                raise SystemExit(f"{path}: unknown key {key!r}")
        if not self.file or not self.protects or not self.checks or not self.find:
            raise SystemExit(f"{path}: needs file:, protects:, check: and a find text")


def sh(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kw)


def sync_tree(src):
    """Copy the work tree into src, writing only files whose content changed (make sees
    exactly those as new) and deleting files that are no longer in the tree."""
    out = subprocess.run(["git", "-C", TOP, "ls-files", "-z", "--cached", "--others",
                          "--exclude-standard"], check=True, stdout=subprocess.PIPE).stdout
    files = {f for f in out.decode().split("\0") if f and os.path.lexists(os.path.join(TOP, f))}
    for f in files:
        a, b = os.path.join(TOP, f), os.path.join(src, f)
        os.makedirs(os.path.dirname(b), exist_ok=True)
        if os.path.islink(a):
            if not os.path.islink(b) or os.readlink(a) != os.readlink(b):
                if os.path.lexists(b):
                    os.unlink(b)
                os.symlink(os.readlink(a), b)
            continue
        data = open(a, "rb").read()
        if os.path.islink(b) or not os.path.exists(b) or open(b, "rb").read() != data:
            if os.path.lexists(b):
                os.unlink(b)
            with open(b, "wb") as o:
                o.write(data)
        shutil.copymode(a, b)
    for dirpath, _, names in os.walk(src):
        for n in names:
            p = os.path.join(dirpath, n)
            if os.path.relpath(p, src) not in files:
                os.unlink(p)


def link_shared(main_build, build):
    os.makedirs(os.path.join(build, "qemu"), exist_ok=True)
    links = [(d, d) for d in SHARED]
    os.makedirs(os.path.join(main_build, "qemu", "disks"), exist_ok=True)
    links.append(("qemu/disks", "qemu/disks"))
    for what, where in links:
        target = os.path.realpath(os.path.join(main_build, what))
        link = os.path.join(build, where)
        if not os.path.exists(target):
            continue
        if os.path.islink(link) and os.readlink(link) == target:
            continue
        if os.path.lexists(link):
            os.unlink(link)
        os.symlink(target, link)


class Runner:
    def __init__(self, src, build):
        self.src, self.build = src, build
        self.make = ["make", "-C", src, "--no-print-directory", f"O={build}", "-j2"] + \
            sum([["-o", os.path.join(build, s)] for s in STAMPS], [])
        self.qemu_tools = None

    def build_targets(self, targets):
        r = sh(self.make + targets)
        return r.returncode == 0, r.stdout

    def run_check(self, check):
        """(passed, built, output) of one check on the tree as it is now."""
        if check.endswith(".scn"):
            if self.qemu_tools is None:
                r = sh(self.make + ["-s", "mutate-qemu-tools-list"], check=True)
                self.qemu_tools = r.stdout.split()
            ok, out = self.build_targets(self.qemu_tools)
            if not ok:
                return False, False, out
            r = sh([sys.executable, os.path.join(self.src, "qemu", "run.py"), "--build",
                    self.build, os.path.join(self.src, "qemu", "scenarios", check)])
            return r.returncode == 0, True, r.stdout
        if check.startswith("make:"):
            ok, out = self.build_targets(["all"])
            if not ok:
                return False, False, out
            r = sh(self.make + [check[5:]])
            return r.returncode == 0, True, r.stdout
        test = os.path.join(self.build, "tests", "test_" + check)
        ok, out = self.build_targets([test])
        if not ok:
            return False, False, out
        try:
            r = sh([test], cwd=self.build, timeout=UNIT_TIMEOUT)
        except subprocess.TimeoutExpired:
            return False, True, f"timeout after {UNIT_TIMEOUT}s"
        return r.returncode == 0, True, r.stdout


def tail(text, n=15):
    return "".join("    | " + l + "\n" for l in text.splitlines()[-n:])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default="build", help="the main build dir (deps, kernel)")
    ap.add_argument("--no-baseline", action="store_true",
                    help="skip running the checks on the unmutated copy first")
    ap.add_argument("-v", "--verbose", action="store_true", help="show each check's output")
    ap.add_argument("names", nargs="*", help="mutants to run (default: all)")
    a = ap.parse_args()
    main_build = os.path.abspath(a.build)
    work = os.path.join(main_build, "mutate")
    src, build = os.path.join(work, "src"), os.path.join(work, "build")

    all_names = sorted(f[:-4] for f in os.listdir(MUTANTS) if f.endswith(".mut"))
    unknown = [n for n in a.names if n not in all_names]
    if unknown:
        raise SystemExit(f"mutate: no such mutant: {' '.join(unknown)}")
    mutants = [Mutant(os.path.join(MUTANTS, n + ".mut")) for n in (a.names or all_names)]

    os.makedirs(src, exist_ok=True)
    sync_tree(src)
    link_shared(main_build, build)
    runner = Runner(src, build)
    start = time.monotonic()

    bad_checks = set()
    if not a.no_baseline:
        for check in sorted({c for m in mutants for c in m.checks}):
            ok, _, out = runner.run_check(check)
            print(f"baseline {check}: {'pass' if ok else 'FAIL'}", flush=True)
            if not ok:
                bad_checks.add(check)
                print(tail(out), end="")

    killed, survived, errors = [], [], []
    for m in mutants:
        path = os.path.join(src, m.file)
        original = open(path).read() if os.path.exists(path) else None
        if original is None or original.count(m.find) != 1:
            n = 0 if original is None else original.count(m.find)
            print(f"STALE {m.name}: the find text occurs {n} times in {m.file}", flush=True)
            errors.append(m.name)
            continue
        checks = [c for c in m.checks if c not in bad_checks]
        if not checks:
            print(f"UNJUDGED {m.name}: its checks fail without the mutant", flush=True)
            errors.append(m.name)
            continue
        try:
            with open(path, "w") as f:
                f.write(original.replace(m.find, m.replace))
            verdict = None
            for check in checks:
                ok, built, out = runner.run_check(check)
                if a.verbose:
                    print(tail(out, 40), end="")
                if not built:
                    verdict = f"BROKEN {m.name}: does not build\n" + tail(out)
                    errors.append(m.name)
                    break
                if not ok:
                    verdict = f"killed {m.name} (by {check})"
                    killed.append(m.name)
                    break
            if verdict is None and len(checks) < len(m.checks):
                verdict = f"UNJUDGED {m.name}: not killed by {', '.join(checks)}; " \
                    f"{', '.join(c for c in m.checks if c in bad_checks)} fails without the mutant"
                errors.append(m.name)
            if verdict is None:
                verdict = f"SURVIVED {m.name}: {m.protects} ({m.file}; checks: {', '.join(m.checks)})"
                survived.append(m.name)
            print(verdict, flush=True)
        finally:
            with open(path, "w") as f:
                f.write(original)
    print(f"mutate: {len(killed)} killed, {len(survived)} survived, {len(errors)} stale/broken/unjudged"
          f" ({time.monotonic() - start:.0f}s)")
    sys.exit(1 if survived or errors else 0)


if __name__ == "__main__":
    main()
