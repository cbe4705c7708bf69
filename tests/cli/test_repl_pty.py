"""test_repl_pty.py — drive `segrt repl` through a pseudo-terminal (called by
test_repl.sh): line editing, Tab completion, multi-line input, Ctrl-C,
Ctrl-D, history between sessions and :save, as a person at a terminal.

usage: python3 test_repl_pty.py SEGRT DB HOME BRASOV_COUNT SAVE_PATH
Prints one line per passed check; exits 1 with a transcript on the first failure.
"""
import os
import pty
import re
import select
import sys
import termios
import time

SEGRT, DB, HOME, BRASOV, SAVE = sys.argv[1:6]
ANSI = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]|\r")


class Repl:
    def __init__(self):
        env = dict(os.environ, HOME=HOME, TERM="xterm")
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.execve(SEGRT, [SEGRT, "repl", "--db", DB], env)
        self.raw = b""
        self.seen = 0  # expect() looks at output after what it matched last

    def text(self):
        return ANSI.sub(b"", self.raw).decode("utf-8", "replace")

    def send(self, data):
        os.write(self.fd, data.encode())

    def type(self, data):
        """Wait for the next prompt and for the REPL to take the terminal, then type.

        libedit prints its prompt first and switches the terminal to raw mode
        only when it reads the first key. A key that arrives in between meets
        the cooked terminal: it is echoed twice, and a Ctrl-D there is the
        line discipline's end of file, which the REPL then never reads (on
        Linux a NUL reaches it). Under load that gap is long enough to hit.
        """
        self.expect(r"(seg|\.\.\.)> ", "a prompt", quiet=True)
        self.wait_raw()
        self.send(data)

    def wait_raw(self, timeout=15):
        """Wait until the terminal is out of canonical mode (the master reads the slave's modes)."""
        end = time.time() + timeout
        while termios.tcgetattr(self.fd)[3] & termios.ICANON:
            if time.time() > end:
                self.fail("the REPL did not take the terminal (still in canonical mode)")
            if not self.read_some(0.01):
                self.fail("the REPL ended at a prompt")

    def expect(self, pattern, what, timeout=15, quiet=False):
        rx = re.compile(pattern)
        end = time.time() + timeout
        while True:
            m = rx.search(self.text(), self.seen)
            if m:
                self.seen = m.end()
                if not quiet:
                    print("ok: " + what)
                return m
            left = end - time.time()
            if left <= 0:
                self.fail(what + ": no match for " + repr(pattern))
            if not self.read_some(min(left, 0.1)):
                self.fail(what + ": the REPL ended; no match for " + repr(pattern))

    def read_some(self, timeout):
        """Add what the REPL printed within timeout seconds; False when it has ended."""
        r, _, _ = select.select([self.fd], [], [], timeout)
        if r:
            try:
                data = os.read(self.fd, 65536)
            except OSError:
                data = b""
            if not data:
                return False
            self.raw += data
        return True

    def fail(self, msg):
        sys.stderr.write("FAIL: test_repl_pty: %s\n--- transcript ---\n%s\n" % (msg, self.text()))
        sys.exit(1)

    def wait_exit(self, what):
        end = time.time() + 15
        while time.time() < end:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                if os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0:
                    print("ok: " + what)
                    return
                self.fail(what + ": exit status %d" % status)
            try:
                r, _, _ = select.select([self.fd], [], [], 0.1)
                if r:
                    self.raw += os.read(self.fd, 65536)
            except OSError:
                pass
        self.fail(what + ": still running")


count = r"(\d+) contacts? \("

# First session.
r = Repl()
r.type('F.region:eq "Brasov"\r')
m = r.expect(count, "a predicate prints its count")
if m.group(1) != BRASOV:
    r.fail("the predicate counted %s, segrt count %s" % (m.group(1), BRASOV))
r.expect(r"id\s+region\n\s+c\d+\s+Brasov", "the first members with the field read")

r.type("F.reg\t")
r.expect(r"F\.region", "Tab completes F.reg to F.region")
r.send(':eq "Brasov"\r')
m = r.expect(count, "the completed line runs")
if m.group(1) != BRASOV:
    r.fail("the completed predicate counted %s, expected %s" % (m.group(1), BRASOV))

r.type(":seg\t")
r.expect(r":segments", "Tab completes a :command")
r.send("\r")
r.expect(r"no segments yet", ":segments with none defined")

r.type('seg.segment "brasov_rich" {\r')
r.expect(r"\.\.\.> ", "an incomplete statement continues on a second prompt")
r.wait_raw()
r.send('  where = F.region:eq "Brasov" & F.income:gt(8000),\r')
r.expect(r"\.\.\.> ", "still incomplete")
r.wait_raw()
r.send("}\r")
m = r.expect(r"segment brasov_rich: (\d+) contacts? \(", "a multi-line segment definition")
rich = m.group(1)

r.type("brasov_r\t")
r.expect(r"brasov_rich", "Tab completes a segment name")
r.send("\r")
r.expect(r"segment brasov_rich\n\s+defined\s+input#\d+:1\n\s+size\s+%s contact" % rich,
         "a segment name prints its definition and size")

r.type("nosuch()\r")
r.expect(r"input#\d+:1: undefined global 'nosuch'", "an error names its line")
r.type("1 + 1\r")
r.expect(r"\n2\n", "the session goes on after an error")

r.type('print("looping") while true do end\r')
r.expect(r"\nlooping\n", "a long evaluation starts")
r.send("\x03")
r.expect(r"\ninterrupted\n", "Ctrl-C stops a running evaluation")
r.type("2 + 3\r")
r.expect(r"\n5\n", "the REPL survives Ctrl-C")

r.type("F.inc")
r.expect(r"F\.inc", "typing")
r.send("\x03")
r.expect(r"\^C\n", "Ctrl-C cancels the line being typed")
r.type("3 + 4\r")
r.expect(r"\n7\n", "the cancelled line was not run")

r.type(":save %s\r" % SAVE)
r.expect(r"saved 1 statement", ":save writes the session's definitions")
r.type("\x04")
r.wait_exit("Ctrl-D leaves with exit code 0")

with open(os.path.join(HOME, ".segrt_history")) as f:
    if "brasov_rich" not in f.read():
        r.fail("~/.segrt_history does not hold the session's statements")
print("ok: the history is saved in ~/.segrt_history")
print("brasov_rich=" + rich)

# A second session recalls the first one's statements.
r = Repl()
r.type("\x1b[A")  # Up: the last line, :save
r.expect(r":save ", "Up recalls the previous session's history")
r.send("\x1b[A")  # and the statement before it
r.expect(r"3 \+ 4", "Up again goes further back")
r.send("\r")
r.expect(r"\n7\n", "the recalled line runs")
r.type(":quit\r")
r.wait_exit(":quit leaves")
