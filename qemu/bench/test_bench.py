#!/usr/bin/env python3
"""Unit tests of bench.py's pure parts (no QEMU): the timeline breakdown (the console hand-over
of timeline.json, the rows per boot and the median table, on timelines recorded in QEMU:
tests/timeline-fixtures/), the --volumes command lines and table, the Enter → stage 2 table. Run: python3 -m unittest qemu/bench/test_bench.py"""
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import bench  # noqa: E402

FIX = os.path.join(HERE, "..", "..", "tests", "timeline-fixtures")


def console_of(name, noise=True):
    """A console as the stage-2 marker prints it: each line of the file prefixed, between
    kernel lines and with the serial line's \\r\\n."""
    with open(os.path.join(FIX, name)) as f:
        lines = [f"INITKIT-STAGE2 timeline: {ln}" for ln in f.read().splitlines()]
    if noise:
        lines = ["[    4.01] INITKIT-STAGE2 reached: pid=1 uptime=4.01"] + lines[:3] + \
                ["[    4.05] random: crng init done"] + lines[3:]
    return "\r\n".join(lines) + "\r\n"


class Timeline(unittest.TestCase):
    def test_from_console(self):
        doc = bench.timeline_from_console(console_of("luks.json"))
        self.assertEqual(doc["format"], "initkit-timeline")
        self.assertGreater(len(doc["events"]), 10)

    def test_kernel_message_mid_line(self):
        # printk cuts into a line of the marker's: "...\"par[    4.05] random: ...\r\nent\": 0..."
        lines = console_of("luks.json", noise=False).split("\r\n")
        i = next(k for k, ln in enumerate(lines) if '"id": 3,' in ln)
        cut = lines[i].index('"parent"') + 4
        lines[i] = lines[i][:cut] + "[    4.051234] random: crng init done\r\n" + lines[i][cut:]
        doc = bench.timeline_from_console("\r\n".join(lines))
        self.assertIsNotNone(doc)
        self.assertEqual(doc["events"][3]["id"], 3)
        self.assertEqual(doc, bench.timeline_from_console(console_of("luks.json")))

    def test_absent_or_broken(self):
        self.assertIsNone(bench.timeline_from_console("INITKIT-STAGE2 reached: pid=1\n"))
        cut = console_of("luks.json", noise=False).splitlines()[:-3]
        self.assertIsNone(bench.timeline_from_console("\n".join(cut)))
        self.assertIsNone(bench.timeline_from_console('INITKIT-STAGE2 timeline: {"format": "x"}\n'))

    def test_steps(self):
        doc = bench.timeline_from_console(console_of("lvm.json"))
        rows = bench.timeline_steps(doc)
        self.assertEqual(rows["initkit total (/init → switch_root)"], doc["total_ms"])
        self.assertAlmostEqual(rows["kernel (until /init)"], doc["milestones"]["init_start_us"] / 1000)
        top = [e for e in doc["events"] if e["parent"] == -1 and e["kind"] == "step"]
        self.assertEqual([k for k in rows if not k.startswith((" ", "kernel", "initkit"))],
                         [e["name"] for e in top])
        luks = next(e for e in top if e["name"] == "luks+lvm")
        self.assertAlmostEqual(rows["luks+lvm"], (luks["end_us"] - luks["begin_us"]) / 1000)
        # the unlock, the prompt and lvm are rows of their own, inside the step's time
        for k in ("  LUKS: header load", "  LUKS: KDF + activation", "  LUKS: at the prompt",
                  "  lvm commands"):
            self.assertGreater(rows[k], 0, k)
            self.assertLess(rows[k], rows["luks+lvm"], k)
        # a module's own dependencies are inside its span: counted once
        mods = [e for e in doc["events"] if e["kind"] == "module"]
        self.assertAlmostEqual(rows["  modules inserted (all)"],
                               sum(e["end_us"] - e["begin_us"] for e in mods) / 1000)

    def test_nested_waits_counted_once(self):
        # device_wait()'s span holds the uevent polls it made: 30 ms of waiting, not 55
        ev = lambda i, parent, kind, name, b, e: {"id": i, "parent": parent, "kind": kind, "name": name,
                                                  "note": "", "begin_us": b, "end_us": e}
        doc = {"format": "initkit-timeline", "version": 1, "total_ms": 40,
               "milestones": {"init_start_us": 1000, "switch_us": 41000},
               "events": [ev(0, -1, "step", "root-wait", 2000, 32000),
                          ev(1, 0, "wait", "UUID=x", 2000, 32000),
                          ev(2, 1, "wait", "uevent", 2000, 27000),
                          ev(3, 1, "module", "virtio_blk", 27000, 30000)]}
        rows = bench.timeline_steps(doc)
        self.assertAlmostEqual(rows["  waiting for devices"], 30.0)
        self.assertAlmostEqual(rows["  modules inserted (all)"], 3.0)

    def test_table_median(self):
        a = bench.timeline_from_console(console_of("luks.json"))
        b = bench.timeline_from_console(console_of("lvm.json"))
        lines = bench.breakdown_table([a, b, a], "LUKS2")
        self.assertIn("(3 boots,", lines[0])
        self.assertEqual(lines[2], "| step | median (ms) | min–max (ms) |")
        total = next(ln for ln in lines if ln.startswith("| initkit total"))
        lo, hi = sorted([a["total_ms"], b["total_ms"]])
        self.assertEqual(total, f"| initkit total (/init → switch_root) | {float(a['total_ms']):.1f} | "
                                f"{float(lo):.1f}–{float(hi):.1f} |")
        # a row only one boot has (lvm) counts 0 ms in the others: median 0
        lvm = next(ln for ln in lines if ln.startswith("|   lvm commands"))
        self.assertTrue(lvm.startswith("|   lvm commands | 0.0 | 0.0–"), lvm)
        # rows keep the boot's order: the kernel first, the total last
        self.assertTrue(lines[4].startswith("| kernel (until /init) |"))
        self.assertTrue(lines[-1].startswith("| initkit total"))


class Floor(unittest.TestCase):
    """The "÷ floor" column (issue 15): /init → stage 2 minus the wait at the prompt, over the
    floor's."""

    def test_prompt_wait_same_for_every_peer(self):
        # initkit's own prompt span (prompt shown → line read) is not subtracted: it also
        # holds the time the busy guest took to read a line already sent (work after the
        # key). Every peer, initkit included, loses what the harness saw: seen → sent.
        doc = bench.timeline_from_console(console_of("luks.json"))
        span = sum(e["end_us"] - e["begin_us"] for e in doc["events"] if e["kind"] == "prompt") / 1e6
        self.assertGreater(span, 0)
        r = {"uptime": 4.0, "init": 2.0, "timeline": doc, "prompt_wait": 0.25}
        self.assertAlmostEqual(bench.prompt_wait(r), 0.25)
        self.assertAlmostEqual(bench.after_key(r), 1.75)
        self.assertAlmostEqual(bench.after_key(r), bench.after_key({k: v for k, v in r.items() if k != "timeline"}))

    def test_prompt_wait_from_harness(self):
        # a peer without a timeline: prompt seen → line sent, as the harness measured it
        r = {"uptime": 4.0, "init": 2.5, "prompt_wait": 0.3}
        self.assertAlmostEqual(bench.after_key(r), 1.2)
        # a timeline without a prompt (plain root) falls back to the harness too: none, 0
        plain = bench.timeline_from_console(console_of("luks.json"))
        plain = dict(plain, events=[e for e in plain["events"] if e["kind"] != "prompt"])
        self.assertEqual(bench.prompt_wait({"timeline": plain}), 0.0)

    def test_no_prompt_no_init(self):
        self.assertAlmostEqual(bench.after_key({"uptime": 2.5, "init": 2.2}), 0.3)
        self.assertIsNone(bench.after_key({"uptime": 2.5}))

    def test_floor_ratio(self):
        self.assertEqual(bench.floor_ratio(0.30, 0.28), "1.07")
        self.assertEqual(bench.floor_ratio(0.28, 0.28), "1.00")
        self.assertEqual(bench.floor_ratio(0.30, None), "–")
        self.assertEqual(bench.floor_ratio(None, 0.28), "–")

    def test_floor_peer(self):
        # the floor is a peer of every run, never prompts, and has its image builder
        self.assertIn(bench.FLOOR, bench.ORDER)
        f = bench.PEERS[bench.FLOOR]
        self.assertIsNone(bench.re.search(f["prompt"], b"Passphrase for /dev/vda: "))
        self.assertIn(f"floor.luks=croot:{bench.PASS}", f["luks"])
        self.assertTrue(os.access(os.path.join(HERE, f["script"]), os.X_OK))
class Volumes(unittest.TestCase):
    """--volumes: the command lines, the counts, the table (issue 15, section 3)."""

    def test_one_volume_is_the_luks_row(self):
        # one volume: exactly what bench-boot's LUKS2 row tells each peer
        for peer in [p for p in bench.ORDER if p != bench.FLOOR]:
            self.assertEqual(bench.volumes_cmdline(peer, 1), bench.PEERS[peer]["luks"], peer)

    def test_every_volume_named_once(self):
        uuids = [bench.vol_uuid(i) for i in range(1, bench.VOL_MAX + 1)]
        self.assertEqual(len(set(uuids)), len(uuids))
        self.assertTrue(all(len(u) == 36 and u.count("-") == 4 for u in uuids), uuids)
        for peer in [p for p in bench.ORDER if p != bench.FLOOR]:
            line = bench.volumes_cmdline(peer, 8)
            for i in range(1, 9):
                self.assertEqual(line.count(bench.vol_uuid(i)), 1, (peer, i))
            self.assertNotIn(bench.vol_uuid(9), line)
        self.assertIn("rd.luks.name=7b2d3d6f-5b5f-4e1c-8e6a-2a1c8b3f1008=cvol8",
                      bench.volumes_cmdline("initkit", 8))
        self.assertIn("cryptopts=target=cvol8,source=UUID=7b2d3d6f-5b5f-4e1c-8e6a-2a1c8b3f1008,luks",
                      bench.volumes_cmdline("initramfs-tools", 8))
        self.assertIn("bench.luks=7b2d3d6f-5b5f-4e1c-8e6a-2a1c8b3f1004:cvol4",
                      bench.volumes_cmdline("nixos-style", 4))
        self.assertEqual(bench.volumes_cmdline("dracut", 4).count("rd.luks.uuid="), 4)
        with self.assertRaises(KeyError):
            bench.volumes_cmdline("floor?", 2)

    def test_parse_counts(self):
        self.assertEqual(bench.parse_counts("1,4,8"), [1, 4, 8])
        for bad in ("", "0", "1,1", f"{bench.VOL_MAX + 1}", "1,x"):
            with self.assertRaises(ValueError, msg=bad):
                bench.parse_counts(bad)

    def test_table(self):
        def r(up, init, enter, typed=1, opened=8):
            return {"uptime": up, "init": init, "enter": enter, "typed": typed, "opened": opened}
        res = {("initkit", 1): [r(5, 2, 1.0), r(6, 2, 1.2), r(5.5, 2, 1.1)],
               ("initkit", 8): [r(9, 2, 4.4), r(10, 2, 4.4)],
               ("dracut", 1): [r(20, 5, 8)], ("dracut", 8): [r(30, 5, 12, 2), r(31, 5, 13, 3)]}
        lines = bench.volumes_table(["dracut", "initkit", "nixos-style"], res, [1, 8])
        self.assertIn("÷ 1 volume(s)", lines[0])
        self.assertEqual(len(lines), 2 + 6)
        self.assertEqual(lines[3], "| dracut (systemd, crypt) | 8 | 2/3 | 8 | 25.50 (25.00–26.00) | "
                                   "12.50 (12.00–13.00) | 1.70 | 1.56 |")
        self.assertEqual(lines[5], "| initkit | 8 | 1 | 8 | 7.50 (7.00–8.00) | 4.40 (4.40–4.40) | 2.14 | 4.00 |")
        self.assertEqual(lines[4].split(" | ")[-2:], ["1.00", "1.00 |"])
        self.assertIn("not measured", lines[6])

    def test_opened_before_marker(self):
        marker = b"[   30.1] INITKIT-STAGE2 reached: pid=1 uptime=30.1\r\n"
        cases = {
            "initkit": b"initkit: luks: /dev/vda (7b2d3d6f-5b5f-4e1c-8e6a-2a1c8b3f0002) is /dev/mapper/croot [rw] "
                       b"(2 ms, not counting the prompt)\r\n"
                       b"initkit: luks: cvol2 opened with a passphrase given earlier\r\n"
                       b"initkit: luks: /dev/vdb (7b2d3d6f-5b5f-4e1c-8e6a-2a1c8b3f1002) is /dev/mapper/cvol2 [rw]\r\n",
            "dracut": b"[\x1b[0;32m  OK  \x1b[0m] Finished \x1b[0;1;39msystemd-cryptsetu\xe2\x80\xa6f1002.\r\r\n"
                      b"[\x1b[0;32m  OK  \x1b[0m] Finished \x1b[0;1;39msystemd-cryptsetu\xe2\x80\xa6f0002.\r\r\n",
            "nixos-style": b"Passphrase for /dev/vda: \r\n/dev/vda opened as croot\r\n"
                           b"Verifying passphrase for /dev/vdb... - success\r\n",
            "initramfs-tools": b"cryptsetup: croot: set up successfully\r\nPlease unlock disk cvol2: \r\n"
                               b"cryptsetup: cvol2: set up successfully\r\n",
        }
        for peer, text in cases.items():
            self.assertEqual(bench.volumes_opened(peer, text + marker), 2, peer)
            # what stage 2 prints after the marker (the kernel log again) is not counted
            self.assertEqual(bench.volumes_opened(peer, text + marker + text), 2, peer)
            self.assertEqual(bench.volumes_opened(peer, text.split(b"\n")[0] + b"\n" + marker),
                             0 if peer == "nixos-style" else 1, peer)


class Enter(unittest.TestCase):
    def test_table(self):
        fast = {("initkit", "luks"): [1.0, 1.2, 1.1], ("nixos-style", "luks"): [2.0, 2.2],
                ("initkit", "lvm"): [1.5], ("nixos-style", "lvm"): [3.0]}
        slow = {("initkit", "luks"): [0.5], ("nixos-style", "luks"): [2.0]}
        lines = bench.enter_table(["nixos-style", "initkit", "dracut"], fast, slow, 3)
        self.assertIn("typed after 0.25 s", lines[0])
        self.assertIn("typed after 3 s", lines[0])
        self.assertIn("initkit ÷ peer (3 s)", lines[0])
        self.assertEqual(lines[1], "|---|---|---|---|---|---|")
        self.assertEqual(lines[2], "| NixOS-style (busybox + cryptsetup + modprobe) | LUKS2 | 2.10 (2.00–2.20) | "
                                   "2.00 (2.00–2.00) | 0.52 | 0.25 |")
        # no 3 s boots on the LVM disk: a dash, not a crash
        self.assertEqual(lines[3].split(" | ")[2:], ["3.00 (3.00–3.00)", "–", "0.50", "– |"])
        self.assertEqual(lines[5].split(" | ")[-2:], ["1", "1 |"])
        self.assertEqual(len(lines), 6)  # dracut: nothing measured, no row
        # without the slow boots: one column of each
        self.assertNotIn("3 s", "\n".join(bench.enter_table(["initkit"], fast, {}, 3)))


if __name__ == "__main__":
    unittest.main()
