#!/usr/bin/env python3
"""Writes a small ELF executable header for the init-check scenarios: enough for the kernel's
binfmt_elf (and initkit's init check) to read the identity and the program headers, nothing
to run. Usage: fake-elf.py [--machine N] [--interp PATH] OUT
  --machine N   e_machine (default 62, x86-64; 183 is AArch64)
  --interp PATH a PT_INTERP naming PATH (a dynamic binary); without it one PT_NOTE"""
import argparse
import os
import struct

ap = argparse.ArgumentParser()
ap.add_argument("--machine", type=int, default=62)
ap.add_argument("--interp")
ap.add_argument("out")
a = ap.parse_args()
interp = a.interp.encode() + b"\0" if a.interp else b""
ehdr_size, phdr_size = 64, 56
ident = b"\x7fELF" + bytes([2, 1, 1, 0]) + bytes(8)  # ELFCLASS64, LSB, EV_CURRENT
ehdr = ident + struct.pack("<HHIQQQIHHHHHH", 2, a.machine, 1, 0x400000, ehdr_size, 0, 0,
                           ehdr_size, phdr_size, 1, 64, 0, 0)
p_type = 3 if interp else 4  # PT_INTERP, PT_NOTE
off = ehdr_size + phdr_size
phdr = struct.pack("<IIQQQQQQ", p_type, 4, off if interp else 0, 0, 0, len(interp), len(interp), 1)
with open(a.out, "wb") as f:
    f.write(ehdr + phdr + interp)
os.chmod(a.out, 0o755)
