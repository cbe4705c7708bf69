#!/usr/bin/env bash
# test_report_html.sh — the HTML segment report of the demo store, opened in
# headless Chromium (Debian's chromium package; .ci/install installs it, and
# this test fails when it is missing).
#
# The page must be self-contained (no script, link, image, frame, url() or
# http address), escape what the script says (a description holding
# <script>, quotes and &), and give for every segment, in its
# <td class="size" data-segment="NAME">, the number segrt count prints —
# both in the file and in the DOM Chromium built from it. Chromium must
# render it to a 1366x900 PNG that is not blank (decoded here with zlib:
# many colours, and more than a few per cent of pixels off the background),
# and log no console message while loading it.
#
# Console messages: with --enable-logging=stderr --v=0, Chromium writes each
# console message of a page (console.* calls, uncaught exceptions, failed
# resource loads) to stderr as a line "[...:INFO:CONSOLE(n)] "text", source:
# URL (n)" (the level word varies by version, the CONSOLE tag does not). A
# page without script has none; any such line fails the test. The same check
# runs first on a page that logs an error and throws, which it must catch,
# so a Chromium that stopped logging would fail here instead of passing.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

command -v chromium >/dev/null ||
    fail "chromium is not installed: this test needs Debian's chromium package (.ci/install installs it)"

source "$(dirname "${BASH_SOURCE[0]}")/report_demo.sh"
report_runs
run segrt report --db "$D" --now "$NOW" --html "$T/report.html" "$T/segs.lua"
assert_rc 0 "report --html"
assert_contains "$T/err" "wrote $T/report.html" "says where the page went"

# chromium ARGS...: headless, with its own profile, stopped after two minutes.
chromium_run() {
    timeout 120 chromium --headless --no-sandbox --disable-gpu --no-first-run \
        --user-data-dir="$T/chromium-profile" "$@"
}

# console_lines PAGE OUT: dump the page's DOM to OUT; print its console lines.
console_lines() {
    chromium_run --enable-logging=stderr --v=0 --dump-dom "file://$1" >"$2" 2>"$T/chromium.err" ||
        fail "chromium could not load $1: $(tail -5 "$T/chromium.err")"
    grep -F ':CONSOLE' "$T/chromium.err" || true
}

# --- the console check catches what it must.
printf '<!DOCTYPE html><html><body><p>x</p><script>console.error("logged-%s");throw new Error("thrown-%s");</script></body></html>\n' \
    probe probe >"$T/bad.html"
console_lines "$T/bad.html" "$T/bad.dom" >"$T/bad.console"
assert_contains "$T/bad.console" "logged-probe" "the console check sees console.error"
assert_contains "$T/bad.console" "Uncaught Error: thrown-probe" "the console check sees an uncaught exception"

# --- self-contained and escaped.
for bad in '<script' '<link' '<img' '<iframe' 'url(' '@import' 'http:' 'https:'; do
    assert_not_contains "$T/report.html" "$bad" "the page has no $bad"
done
assert_contains "$T/report.html" '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;co&#39;' \
    "the description is escaped"

# --- loads without a console message; sizes in the file and in Chromium's DOM equal segrt count.
console_lines "$T/report.html" "$T/report.dom" >"$T/report.console"
[ ! -s "$T/report.console" ] || fail "console messages while loading the report: $(head -c 800 "$T/report.console")"
ok
cat >"$T/sizes.py" <<'PY'
import sys
from html.parser import HTMLParser

class Page(HTMLParser):
    """The size cells (data-segment -> text) and the descriptions of a report page."""
    def __init__(self):
        super().__init__()
        self.sizes, self.descs, self.cell, self.text = {}, [], None, ''
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == 'td' and a.get('class') == 'size':
            self.cell, self.text = ('size', a['data-segment']), ''
        elif tag == 'div' and a.get('class') == 'desc':
            self.cell, self.text = ('desc', None), ''
        elif self.cell:
            self.text += '<%s>' % tag  # markup inside a cell: must not happen
    def handle_data(self, data):
        if self.cell:
            self.text += data
    def handle_endtag(self, tag):
        if self.cell and tag in ('td', 'div'):
            kind, name = self.cell
            if kind == 'size':
                if name in self.sizes:
                    self.sizes[name] = 'twice'
                else:
                    self.sizes[name] = self.text
            else:
                self.descs.append(self.text)
            self.cell = None

counts = dict(l.split() for l in open(sys.argv[1]))
problems = []
for path in sys.argv[2:]:
    p = Page()
    p.feed(open(path, encoding='utf-8').read())
    if p.sizes != counts:
        problems.append('%s: sizes %s, segrt count %s' % (path, p.sizes, counts))
    if """<script>alert("x")</script> & 'co'""" not in p.descs:
        problems.append('%s: the odd description reads %s' % (path, p.descs))
if problems:
    print('\n'.join(problems), file=sys.stderr)
    sys.exit(1)
PY
python3 "$T/sizes.py" "$T/counts" "$T/report.html" "$T/report.dom" ||
    fail "the sizes in the page differ from segrt count"
ok

# --- the sections beyond sizes (reach, a template, the review, the exclusive group, the RFM
# groups, the growth of the base) give in the page and in its DOM what the text report gives.
cat "$T/segs.lua" - >"$T/segs2.lua" <<'LUA'
seg.segment "lost_on_price" { where = F.loss_reason:eq "price" }
seg.template "hello" { purpose = "email_marketing", subject = "Hi {first_name|there}", body = "." }
LUA
run segrt report --db "$D" --now "$NOW" --locale ro --html "$T/report2.html" "$T/segs2.lua"
assert_rc 0 "report --html of a script with a template"
cp "$T/out" "$T/report2.txt"
console_lines "$T/report2.html" "$T/report2.dom" >"$T/report2.console"
[ ! -s "$T/report2.console" ] || fail "console messages while loading the report: $(head -c 800 "$T/report2.console")"
python3 "$_lib_dir/report_sections.py" "$T/report2.txt" "$T/report2.html" "$T/report2.dom" ||
    fail "the page's reach, template, review, group, RFM or growth numbers differ from the text report"
ok
# Each segment's profile section in the page (and in the DOM) gives the numbers segrt profile
# --html gives for it.
cat >"$T/profile_cells.py" <<'PY'
import sys
from html.parser import HTMLParser

class Cells(HTMLParser):
    """(segment, row key, measure) -> n of every data-n cell inside section.profile."""
    def __init__(self):
        super().__init__()
        self.cells, self.segment, self.row, self.depth = {}, None, None, 0
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == 'section' and a.get('class') == 'profile':
            self.segment, self.row = a['data-segment'], None
        if self.segment is None:
            return
        if tag in ('table', 'tr'):
            key = tuple((k, v) for k, v in sorted(a.items()) if k.startswith('data-') and k != 'data-n')
            if key:
                self.row = key
        if 'data-n' in a:
            self.cells[(self.segment, self.row, a.get('data-measure'))] = a['data-n']
    def handle_endtag(self, tag):
        if tag == 'section':
            self.segment = None

def cells(path, segment):
    c = Cells()
    c.feed(open(path, encoding='utf-8').read())
    return {k: v for k, v in c.cells.items() if k[0] == segment}

page, dom, segs = sys.argv[1], sys.argv[2], sys.argv[3:]
problems = []
for s in segs:
    want = cells('%s.%s' % (page, s), s)
    if len(want) < 20:
        problems.append('%s: the fragment has only %d numbers' % (s, len(want)))
    for path in (page, dom):
        got = cells(path, s)
        if got != want:
            diff = sorted(set(got.items()) ^ set(want.items()))[:6]
            problems.append('%s in %s: %d numbers, segrt profile %d; differing: %s' % (s, path, len(got), len(want), diff))
if problems:
    sys.exit('\n'.join(problems))
PY
for s in krakow vip_emailable rfm.champions; do
    segrt profile --db "$D" --now "$NOW" --html "$T/segs2.lua" "$s" >"$T/report2.html.$s"
done
python3 "$T/profile_cells.py" "$T/report2.html" "$T/report2.dom" krakow vip_emailable rfm.champions ||
    fail "a profile section of the page differs from segrt profile"
ok
assert_contains "$T/report2.html" " lei</td>" "money is written as the locale writes it"
assert_contains "$T/report2.html" 'class="range">' "charts say their date range"

# --- a screenshot at laptop size that is not blank.
chromium_run --screenshot="$T/report.png" --window-size=1366,900 "file://$T/report.html" \
    >/dev/null 2>"$T/chromium.err" || fail "chromium could not take a screenshot: $(tail -5 "$T/chromium.err")"
[ -s "$T/report.png" ] || fail "chromium wrote no screenshot: $(tail -5 "$T/chromium.err")"
python3 - "$T/report.png" <<'PY' || fail "the screenshot is blank or unreadable"
import struct, sys, zlib
from collections import Counter

def read_png(path):
    """An 8-bit RGB or RGBA PNG, not interlaced: width, height, bytes a pixel, unfiltered rows."""
    data = open(path, 'rb').read()
    if data[:8] != b'\x89PNG\r\n\x1a\n':
        sys.exit('%s is not a PNG' % path)
    pos, idat = 8, b''
    while pos < len(data):
        n, kind = struct.unpack('>I4s', data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b'IHDR':
            w, h, depth, ctype, _, _, interlace = struct.unpack('>IIBBBBB', body)
            if depth != 8 or ctype not in (2, 6) or interlace:
                sys.exit('unexpected PNG: depth %d, colour type %d, interlace %d' % (depth, ctype, interlace))
            px = 3 if ctype == 2 else 4
        elif kind == b'IDAT':
            idat += body
        pos += 12 + n
    raw, stride, rows, prev = zlib.decompress(idat), w * px, [], bytearray(w * px)
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - px] if i >= px else 0
            b, c = prev[i], prev[i - px] if i >= px else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return w, h, px, rows

w, h, px, rows = read_png(sys.argv[1])
colours = Counter(r[i:i + 3] for r in rows for i in range(0, len(r), px))
off = 1 - colours.most_common(1)[0][1] / (w * h)
if (w, h) != (1366, 900):
    sys.exit('screenshot is %dx%d, want 1366x900' % (w, h))
if len(colours) < 16 or off < 0.05:
    sys.exit('blank screenshot: %d colours, %.1f%% of pixels off the background' % (len(colours), 100 * off))
PY
ok
finish
