#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Drives `make run`'s image (docs/console.md) through QEMU's serial console on pipes, the QEMU
command being ward_run.py's own: the store domain (domain 1, a service domain), two Linux guests
(personal 2, work 3) with shells on hvc0, a test guest (counter 4) beside them.

Checked, each step waiting for what it needs on the log (no fixed sleeps):
- both Linux guests reach their shell, the test guest runs to its end;
- xenbus works in personal: a XS_READ of its `name` written by hand to /dev/xen/xenbus from the
  shell is answered by the store domain with `personal`;
- typed commands reach the guest with focus (personal) and its answers come back prefixed with
  its name: `echo ward-$((6*7))` gives ward-42, `cat /proc/uptime` two numbers;
- Ctrl-] n moves the focus to work (Ward says so); what is typed then runs in work only: no
  byte of it shows up in personal's console, not even after focus comes back (Ctrl-] 1) and
  personal runs another command;
- Ctrl-] with a domain that takes no input (the test guest; the store domain, service=yes)
  leaves the focus where it was;
- `poweroff` in a shell ends that domain (SCHEDOP_shutdown through ward-poweroff; CLI;HLT,
  which Ward logs as `halted with interrupts disabled`, if that fails); the focus then moves to
  the other shell by itself; after the second poweroff only the store domain is left, Ward ends
  it, and QEMU exits with Ward's "all ended" status.
Usage: linux_run_test.py ISO WARD_RUN_PY [--echo]
"""
import importlib.util
import re
import shutil
import subprocess
import sys
import threading
import time

TOTAL_TIMEOUT = 420  # seconds for the whole run; each wait below is bounded by it
CTRL_BRACKET = b"\x1d"
# How Ward reports a shell's `poweroff`: SCHEDOP_shutdown(poweroff) through ward-poweroff, or
# CLI;HLT if that path fails.
POWEROFF = (r"ward: domain {0} '{1}' (halted with interrupts disabled|"
            r"shutdown: poweroff \(reason 0\))")


class Console:
    """The serial console: everything QEMU printed so far, and a way to wait for text."""

    def __init__(self, proc, echo):
        self.proc = proc
        self.echo = echo
        self.text = ""
        self.cond = threading.Condition()
        self.deadline = time.monotonic() + TOTAL_TIMEOUT
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        while True:
            chunk = self.proc.stdout.read1(4096)
            if not chunk:
                break
            s = chunk.decode("utf-8", "replace").replace("\r", "")
            if self.echo:
                sys.stdout.write(s)
                sys.stdout.flush()
            with self.cond:
                self.text += s
                self.cond.notify_all()
        with self.cond:
            self.cond.notify_all()

    def wait(self, pattern, start=0, what=""):
        """Waits for regex `pattern` in the output after offset `start`; returns the match."""
        rx = re.compile(pattern)
        with self.cond:
            while True:
                m = rx.search(self.text, start)
                if m:
                    return m
                left = self.deadline - time.monotonic()
                if left <= 0 or self.proc.poll() is not None and not self._more():
                    raise AssertionError(f"not seen: {what or pattern}")
                self.cond.wait(min(left, 1.0))

    def _more(self):
        return False

    def mark(self):
        with self.cond:
            return len(self.text)

    def type(self, data: bytes):
        self.proc.stdin.write(data)
        self.proc.stdin.flush()


def load_ward_run(path):
    spec = importlib.util.spec_from_file_location("ward_run", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def domain_lines(text, name):
    """What domain `name` printed: the rest of every line that starts with its prefix."""
    prefix = f"[{name}] "
    return [line[len(prefix):] for line in text.split("\n") if line.startswith(prefix)]


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    iso, ward_run_py = sys.argv[1], sys.argv[2]
    echo = "--echo" in sys.argv
    if shutil.which("qemu-system-x86_64") is None:
        print("SKIP: qemu-system-x86_64 not installed")
        return 77
    ward_run = load_ward_run(ward_run_py)
    cmd = ward_run.qemu_command(iso, ward_run.DEFAULT_MEMORY, interactive=False)
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    con = Console(proc, echo)
    failures = []

    def step(what, fn):
        try:
            r = fn()
            print(f"ok   {what}")
            return r
        except AssertionError as e:
            failures.append(f"{what}: {e}")
            print(f"FAIL {what}: {e}")
            raise

    prompt = r"ward-shell\$ "
    try:
        step("personal has the console first",
             lambda: con.wait(r"ward: console: first console: input goes to domain 2 'personal'"))
        step("the test guest runs to its end", lambda: con.wait(r"\[counter\] counter done"))
        step("work reaches its shell", lambda: con.wait(r"\[work\] WARD-GUEST: shell on hvc0"))
        step("personal shows its prompt", lambda: con.wait(r"\[personal\] " + prompt))

        # XS_READ "name" (type 2, request id 7, no transaction, 5 bytes) on /dev/xen/xenbus; the
        # reply's 16-byte header is cut off.
        m0 = con.mark()
        con.type(b"(exec 3<>/dev/xen/xenbus; printf '\\002\\0\\0\\0\\007\\0\\0\\0\\0\\0\\0\\0"
                 b"\\005\\0\\0\\0name\\0' >&3; echo \"xs-name=$(dd bs=64 count=1 <&3 2>/dev/null"
                 b" | tail -c +17)\")\r")
        step("the store domain answers personal's xenbus",
             lambda: con.wait(r"\n\[personal\] xs-name=personal\n", m0))

        m0 = con.mark()
        con.type(b"echo ward-$((6*7))\r")
        step("personal runs a typed command", lambda: con.wait(r"\n\[personal\] ward-42\n", m0))
        m0 = con.mark()
        con.type(b"cat /proc/uptime\r")
        up = step("personal answers cat /proc/uptime",
                  lambda: con.wait(r"\n\[personal\] (\d+\.\d+) (\d+\.\d+)\n", m0))
        assert float(up.group(1)) > 0

        m0 = con.mark()
        con.type(CTRL_BRACKET + b"n")
        step("Ctrl-] n moves the focus to work",
             lambda: con.wait(r"ward: console: Ctrl-\] n: input goes to domain 3 'work'", m0))
        m_work = con.mark()
        con.type(b"echo secret-$((1000+337)) ${HOSTNAME:-w}\r")
        step("work runs what is typed now", lambda: con.wait(r"\n\[work\] secret-1337 ", m_work))

        m0 = con.mark()
        con.type(CTRL_BRACKET + b"4")
        step("the test guest takes no input: focus unchanged",
             lambda: con.wait(r"ward: console: domain 4 takes no input; focus unchanged", m0))
        m0 = con.mark()
        con.type(CTRL_BRACKET + b"1")
        step("the store domain takes no input: focus unchanged",
             lambda: con.wait(r"ward: console: domain 1 takes no input; focus unchanged", m0))
        m0 = con.mark()
        con.type(b"echo still-$((2*8))\r")
        step("work still has focus", lambda: con.wait(r"\n\[work\] still-16\n", m0))

        m0 = con.mark()
        con.type(CTRL_BRACKET + b"2")
        step("Ctrl-] 2 gives personal the focus back",
             lambda: con.wait(r"ward: console: Ctrl-\] digit: input goes to domain 2 'personal'",
                              m0))
        m0 = con.mark()
        con.type(b"echo back-$((2+3))\r")
        step("personal runs a command again", lambda: con.wait(r"\n\[personal\] back-5\n", m0))

        def only_work_saw_it():
            mine = domain_lines(con.text[m_work:], "personal")
            leaked = [l for l in mine if "secret" in l or "still" in l or "1337" in l]
            if leaked:
                raise AssertionError(f"personal saw work's input: {leaked}")
        step("no byte typed for work reached personal", only_work_saw_it)

        m0 = con.mark()
        con.type(b"poweroff\r")
        step("poweroff in personal's shell ends it",
             lambda: con.wait(POWEROFF.format(2, "personal"), m0))
        m0 = con.mark()
        con.type(b"echo alone-$((3*3))\r")
        step("the focus moves to work by itself",
             lambda: con.wait(r"the domain with focus ended: input goes to domain 3 'work'", m0))
        step("work runs what is typed then", lambda: con.wait(r"\n\[work\] alone-9\n", m0))
        m0 = con.mark()
        con.type(b"poweroff\r")
        step("poweroff in work's shell ends it", lambda: con.wait(POWEROFF.format(3, "work"), m0))
        step("Ward ends the store domain, the last one left",
             lambda: con.wait(r"ward: only service domains are left: ending domain 1 'store'", m0))
        step("every domain has ended", lambda: con.wait(r"ward: all domains have ended", m0))
        rc = proc.wait(timeout=max(1, con.deadline - time.monotonic()))
        if rc != (0x10 << 1) | 1:
            failures.append(f"QEMU exit status {rc}, expected {(0x10 << 1) | 1}")
    except (AssertionError, subprocess.TimeoutExpired, BrokenPipeError) as e:
        if not failures:
            failures.append(str(e))
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    if failures:
        print("\n--- serial log (tail) ---")
        print(con.text[-6000:])
        print("FAILED:", *failures, sep="\n  ")
        return 1
    print("linux_run: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
