#!/usr/bin/env python3
"""Unit tests of bench.py's timeline breakdown (no QEMU): the console hand-over of
timeline.json, the rows per boot and the median table, on timelines recorded in QEMU
(tests/timeline-fixtures/). Run: python3 -m unittest qemu/bench/test_bench.py"""
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


if __name__ == "__main__":
    unittest.main()
