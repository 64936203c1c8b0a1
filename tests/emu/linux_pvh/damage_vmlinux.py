#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Makes the bad Linux images of the PVH boot test from the real vmlinux, so only the defect
differs:
  truncated: the first MiB of the file (a corrupted image: its segments run past the end);
  headers:   the real ELF header, program headers and notes, the first page of the text
             segment (where the PVH entry is), every other PT_LOAD's file part emptied (so the
             segments are zero-filled): a valid PVH image small enough to carry in the ISO beside
             a too-large initrd;
  nopvh:     the same with the Xen PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY, type 18, owner
             "Xen") given another type: a kernel without PVH support.
Usage: damage_vmlinux.py VMLINUX TRUNCATED HEADERS NOPVH"""
import struct
import sys

src, truncated, headers, nopvh = sys.argv[1:5]
data = open(src, "rb").read()
open(truncated, "wb").write(data[: 1 << 20])

e_phoff, = struct.unpack_from("<Q", data, 0x20)
e_phentsize, e_phnum = struct.unpack_from("<HH", data, 0x36)
PH = "<IIQQQQQQ"  # type, flags, offset, vaddr, paddr, filesz, memsz, align
phdrs = [list(struct.unpack_from(PH, data, e_phoff + i * e_phentsize)) for i in range(e_phnum)]
out = bytearray(data[:e_phoff + e_phnum * e_phentsize])
struct.pack_into("<Q", out, 0x28, 0)  # e_shoff: no section headers
struct.pack_into("<HH", out, 0x3c, 0, 0)  # e_shnum, e_shstrndx
for ph in phdrs:
    if ph[0] == 4:  # PT_NOTE: copied after the program headers
        note = data[ph[2]: ph[2] + ph[5]]
        while len(out) % 8:
            out.append(0)
        ph[2] = len(out)
        out += note
    elif ph[0] == 1 and ph[4] == 0x1000000:  # the text segment: its first page (PVH entry)
        page = data[ph[2]: ph[2] + 0x1000]
        while len(out) % 0x1000:
            out.append(0)
        ph[2], ph[5] = len(out), len(page)
        out += page
    elif ph[0] == 1:  # other PT_LOADs: nothing from the file, all zero-filled
        ph[2], ph[5] = 0, 0
for i, ph in enumerate(phdrs):
    struct.pack_into(PH, out, e_phoff + i * e_phentsize, *ph)
open(headers, "wb").write(out)

renamed = 0
for ph in phdrs:
    if ph[0] != 4:
        continue
    off, end = ph[2], ph[2] + ph[5]
    while off + 12 <= end:
        namesz, descsz, ntype = struct.unpack_from("<III", out, off)
        name = bytes(out[off + 12: off + 12 + namesz]).rstrip(b"\0")
        if name == b"Xen" and ntype == 18:
            struct.pack_into("<I", out, off + 8, 0x7e57)
            renamed += 1
        off += 12 + ((namesz + 3) & ~3) + ((descsz + 3) & ~3)
if renamed == 0:
    sys.exit("damage_vmlinux.py: no PVH note found in " + src)
open(nopvh, "wb").write(out)
