#!/usr/bin/env python3
# Writes the seed corpus: one well-formed stream per message kind plus a few classic bad inputs.
import os, struct
here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
os.makedirs(here, exist_ok=True)
def msg(t, w, body=b""):
    return struct.pack("<III", t, w, len(body)) + body
A, D = b"\x0e", b"\x0f"  # first byte: direction (bit 0) and chunk size
seeds = {
    "create_map_title": A + msg(130, 1, struct.pack("<iiIIII", 10, 20, 640, 480, 0, 0))
        + msg(141, 1, b"hello".ljust(128, b"\0")) + msg(132, 1, struct.pack("<II", 0, 0)),
    "configure_damage": A + msg(134, 1, struct.pack("<iiIII", 0, 0, 800, 600, 0))
        + msg(136, 1, struct.pack("<iiII", 0, 0, 80, 60)),
    "dump_memfd": A + msg(147, 1, struct.pack("<IIIII", 1, 100, 50, 32, 1)),
    "dump_grants": A + msg(147, 1, struct.pack("<IIII", 0, 100, 50, 32) + struct.pack("<5I", 1, 2, 3, 4, 5)),
    "clipboard": A + msg(140, 0, b"secret text"),
    "flags_hints_cursor": A + msg(145, 1, struct.pack("<II", 2, 1)) + msg(144, 1, bytes(36))
        + msg(148, 1, struct.pack("<I", 0x102)) + msg(146, 1, bytes(128)),
    "destroy_unmap": A + msg(133, 1) + msg(131, 1),
    "bad_type": A + msg(999, 1),
    "bad_len": A + struct.pack("<III", 141, 1, 0xffffffff),
    "truncated": A + msg(130, 1, bytes(24))[:20],
    "daemon_input": D + msg(124, 1, struct.pack("<IiiII", 2, 1, 1, 0, 38))
        + msg(125, 1, struct.pack("<IiiII", 4, 5, 5, 0, 1)) + msg(128, 1, struct.pack("<III", 9, 0, 0))
        + msg(142, 0, bytes(32)) + msg(139, 0) + msg(149, 1),
}
for name, data in seeds.items():
    with open(os.path.join(here, name), "wb") as f:
        f.write(data)
