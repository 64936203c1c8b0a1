#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Writes the seed corpora of the vTPM and builder fuzz targets (docs/vtpm.md, docs/builder.md):
# one well-formed example of every format, plus a few near misses. Run from anywhere.
import hashlib
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
BUILDER = os.path.join(HERE, "..", "builder")
UUID = "0123abcd-0000-4000-8000-00000000beef"
EXPORT = "5" * 32
MEAS = "a" * 64


def write(folder, name, data):
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def kv(magic, fields):
    return magic + "\n" + "".join(f"{k}={v}\n" for k, v in sorted(fields.items()))


files = os.path.join(HERE, "corpus", "files")
record = {"uuid": UUID, "domain": "work", "label": "work", "measurement": MEAS,
          "key": "07" * 60, "status": "ready"}
exporting = dict(record, status="exporting", origin="c" * 32, export=EXPORT,
                 **{"export.target": "05" * 32})
x, y = "11" * 32, "22" * 32
pid = hashlib.sha256(bytes.fromhex(x + y)).hexdigest()
blob = {"target": "09" * 32, "uuid": UUID, "export": EXPORT, "domain": "work", "label": "work",
        "measurement": MEAS, "ephemeral.x": x, "ephemeral.y": y, "payload": "03" * 40}
seeds = [
    ("kv", 0, kv("m 1", {"a": "1", "b.c": "x y"})),
    ("record", 1, kv("ward-vtpm-instance 1", record)),
    ("record-exporting", 1, kv("ward-vtpm-instance 1", exporting)),
    ("run", 2, kv("ward-vtpm-run 1", {"pid": "1234", "port": "40000"})),
    ("sealed", 3, kv("ward-vtpm-sealed-key 1", {"pcrs": "7,8", "pcr.7": "01" * 32,
                                                "pcr.8": "02" * 32, "public": "010203",
                                                "private": "0405"})),
    ("platform-key", 4, kv("ward-vtpm-platform-key 1", {"x": x, "y": y, "id": pid})),
    ("blob", 5, kv("ward-vtpm-migration 2", blob)),
    ("blob-v1", 5, kv("ward-vtpm-migration 1", {k: v for k, v in blob.items() if k != "export"})),
    ("payload", 6, kv("ward-vtpm-migration-payload 1", {"key": "03" * 32,
                                                        "file.tpm2-00.permall": "04" * 20,
                                                        "file.tpm2-00.volatilestate": "04" * 5})),
    ("ledger", 7, kv("ward-vtpm-ledger 1", {"consumed." + "1" * 32: UUID,
                                            "exported." + "2" * 32: UUID})),
    ("pcrs", 8, "0,2,4,7-9"),
    ("truncated", 1, kv("ward-vtpm-instance 1", record)[:-7]),
]
for name, selector, text in seeds:
    write(files, name, bytes([selector]) + text.encode())

# tpmif pages: selector byte (extra pages), then the shared page and the extra pages.
tpmif = os.path.join(HERE, "corpus", "tpmif")
get_random = struct.pack(">HII", 0x8001, 12, 0x17B) + struct.pack(">H", 16)


def page(state, cmd, extra=0, locality=0, length=None):
    head = struct.pack("<IBBBB", len(cmd) if length is None else length, state, locality, 0, extra)
    head += b"\0" * (4 * extra)
    return head + cmd


write(tpmif, "submit", bytes([0]) + page(1, get_random))
write(tpmif, "cancel", bytes([0]) + page(3, get_random))
write(tpmif, "idle", bytes([0]) + page(0, b""))
write(tpmif, "bad-length", bytes([0]) + page(1, get_random, length=4000))
write(tpmif, "extra-mismatch", bytes([1]) + page(1, get_random, extra=2))
big = struct.pack(">HII", 0x8002, 5000, 0x182) + b"\x55" * (5000 - 10)
first = page(1, big, extra=1)
write(tpmif, "two-pages", bytes([1]) + first.ljust(8192, b"\0")[:8192])

# Builder: domain configs and event logs.
config = os.path.join(BUILDER, "corpus", "config")
write(config, "full", "# personal work domain\nname      = work\nlabel     = work\n"
      "kernel    = vmlinuz\ninitramfs = initrd.img\ncmdline   = console=hvc0 root=/dev/xvda1 ro #x\n"
      "memory    = 2048\nvcpus     = 2\nvtpm      = yes\n")
write(config, "minimal", "name=a\nlabel=b\nkernel=/k\nmemory=16\n")
write(config, "unknown", "name=a\nlabel=b\nkernel=k\nmemory=16\ndomid=3\n")
write(config, "dup", "name=a\nname=a\nlabel=b\nkernel=k\nmemory=16\n\r\n")


def event_log(events):
    spec = b"Spec ID Event03\0" + struct.pack("<IBBBBIHHB", 0, 0, 2, 0, 2, 1, 0xB, 32, 0)
    log = struct.pack("<II", 0, 3) + b"\0" * 20 + struct.pack("<I", len(spec)) + spec
    for pcr, data, digest in events:
        log += struct.pack("<IIIH", pcr, 0xD, 1, 0xB) + digest + struct.pack("<I", len(data)) + data
    return log


def ev(pcr, text):
    return (pcr, text.encode() + b"\0", hashlib.sha256(text.split(": ", 1)[1].encode()).digest())


eventlog = os.path.join(BUILDER, "corpus", "eventlog")
launch = [ev(8, "ward_label: work"), ev(8, "ward_settings: label=work memory=2048 vcpus=2 vtpm=yes"),
          ev(8, "ward_cmdline: console=hvc0"), (9, b"ward_kernel", b"\1" * 32)]
write(eventlog, "launch", event_log(launch))
write(eventlog, "header-only", event_log([]))
write(eventlog, "truncated", event_log(launch)[:-5])
