#!/usr/bin/env python3
"""Turns the LV "snap" of a vgcfgbackup file into a classic (COW) snapshot of LV "root", as
`lvcreate -s -n snap VG/root` would: the snapshot0 LV that ties origin and COW store.
lvcreate -s needs device-mapper, which the disk builder's host does not have; vgcfgrestore
of the edited metadata gives the same on-disk VG. The COW store is left zeroed: to dm-snapshot
a zero header is a new, empty snapshot.
Usage: qemu/lvm-snapshot-meta.py BACKUP_FILE (edited in place)."""
import re
import sys

path = sys.argv[1]
s = open(path).read()
m = re.search(r"\n(\t+)root \{.*?extent_count = (\d+)", s, re.S)
if not m:
    sys.exit(f"{path}: no LV root with an extent_count")
ind, extents = m.group(1), m.group(2)
block = f"""{ind}snapshot0 {{
{ind}\tid = "aaaaaa-bbbb-cccc-dddd-eeee-ffff-000001"
{ind}\tstatus = ["READ", "WRITE"]
{ind}\tflags = []
{ind}\tsegment_count = 1
{ind}\tsegment1 {{
{ind}\t\tstart_extent = 0
{ind}\t\textent_count = {extents}
{ind}\t\ttype = "snapshot"
{ind}\t\tchunk_size = 8
{ind}\t\torigin = "root"
{ind}\t\tcow_store = "snap"
{ind}\t}}
{ind}}}
"""
i = s.index("logical_volumes {")
depth = 0
for j in range(i, len(s)):
    if s[j] == "{":
        depth += 1
    elif s[j] == "}":
        depth -= 1
        if depth == 0:
            break
else:
    sys.exit(f"{path}: logical_volumes is not closed")
open(path, "w").write(s[:j] + block + s[j:])
