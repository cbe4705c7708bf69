"""report_sections.py TEXT PAGE... — the sections of segrt report that its text
and its HTML page (a file, or the DOM Chromium built from it) both give must
agree number for number: reach per channel, each template's recipients and
suppressed, the segment review's verdicts, the exclusive groups' parts, the
RFM grid's group names and the growth of the base (the months the text
shows). Used by test_report_html.sh; exits non-zero naming the differences.
"""
import re
import sys
from html.parser import HTMLParser


def text_sections(path):
    lines = open(path, encoding='utf-8').read().split('\n')

    def section(head):
        starts = [k for k, l in enumerate(lines) if l.startswith(head)]
        if not starts:
            sys.exit('%s: no section %r' % (path, head))
        out = []
        for l in lines[starts[0] + 1:]:
            if not l:
                break
            out.append(l)
        return starts[0], out

    got = {}
    _, reach = section('Reach per channel:')
    channels = reach[0].split()[1:]
    for l in reach[1:]:
        name, cells = l.split()[0], re.findall(r'(\d+)\*? *(?=  |$)', l[len(l.split()[0]):])
        for ch, n in zip(channels, cells):
            got[('reach', name, ch)] = n
    for k, l in enumerate(lines):
        m = re.match(r"Template '(\S+)' \(purpose \S+\)", l)
        if not m:
            continue
        for row in lines[k + 2:]:
            if not row:
                break
            f = row.split()
            got[('template', m.group(1), f[0])] = (f[2], f[3])
    _, review = section('Segment review:')
    for l in review[1:]:
        name = l.split()[0]
        for kind in ('measurable', 'accessible', 'substantial'):
            v = re.search(kind + r': (yes|NO)', l).group(1)
            got[('verdict', name, kind)] = 'yes' if v == 'yes' else 'no'
    for k, l in enumerate(lines):
        m = re.match(r"Exclusive group '(\S+)': ", l)
        if not m:
            continue
        for row in lines[k + 1:]:
            p = re.match(r'  (.+?)\s+(\d+)\s+\S+%', row)
            if not p:
                break
            name = '' if p.group(1) == 'in none of them' else p.group(1)
            got[('part', m.group(1), name)] = p.group(2)
    for k, l in enumerate(lines):
        m = re.match(r"Groups of '(\S+)' per cell:", l)
        if not m:
            continue
        for row in lines[k + 2:k + 7]:
            f = row.split()
            for fi, g in enumerate(f[1:], 1):
                if g != '-':
                    got[('rfm', f[0][2:], str(fi))] = g
    start, growth = section('Growth of the base:')
    for l in growth:
        f = l.split()
        if re.match(r'\d{4}(-\d\d)?$', f[0]):
            got[('growth', f[0])] = f[1]
    return got


class Page(HTMLParser):
    """The same numbers from the page's data- attributes and labels."""

    def __init__(self):
        super().__init__()
        self.got, self.template, self.group, self.label = {}, None, None, None

    def handle_starttag(self, tag, attrs):
        a, got = dict(attrs), self.got
        cls = a.get('class', '')
        if tag == 'td' and cls == 'reach':
            got[('reach', a['data-segment'], a['data-channel'])] = a['data-reachable']
        elif tag == 'figure' and cls == 'template':
            self.template = a['data-template']
        elif tag == 'tr' and cls == 'recipients':
            got[('template', self.template, a['data-segment'])] = (a['data-recipients'], a['data-suppressed'])
        elif tag == 'tr' and 'data-segment' in a and cls == '':
            self.row = a['data-segment']
        elif tag == 'td' and cls.startswith('verdict '):
            got[('verdict', self.row, cls.split()[1])] = a['data-verdict']
        elif tag == 'figure' and cls == 'group':
            self.group = a['data-group']
        elif tag == 'tr' and cls == 'part':
            got[('part', self.group, a['data-segment'])] = a['data-size']
        elif tag == 'text' and cls.startswith('group'):
            self.label = (a['data-r'], a['data-f'])
        elif tag == 'circle' and cls == 'growth-point':
            got[('growth', a['data-start'])] = a['data-joined']

    def handle_data(self, data):
        if self.label:
            self.got[('rfm',) + self.label] = data

    def handle_endtag(self, tag):
        if tag == 'text':
            self.label = None


want = text_sections(sys.argv[1])
kinds = {k[0] for k in want}
if kinds != {'reach', 'template', 'verdict', 'part', 'rfm', 'growth'}:
    sys.exit('the text report lacks sections: has %s' % sorted(kinds))
problems = []
for path in sys.argv[2:]:
    p = Page()
    p.feed(open(path, encoding='utf-8').read())
    for k, v in want.items():
        if p.got.get(k) != v:
            problems.append('%s: %s is %s in the page, %s in the text' % (path, k, p.got.get(k), v))
    extra = [k for k in p.got if k[0] != 'growth' and k not in want]
    if extra:
        problems.append('%s: only in the page: %s' % (path, extra[:5]))
if problems:
    print('\n'.join(problems[:20]), file=sys.stderr)
    sys.exit(1)
