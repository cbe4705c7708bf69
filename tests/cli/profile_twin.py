#!/usr/bin/env python3
"""profile_twin.py — the SQL twin of `segrt profile --json` for test_profile.sh.

Usage: profile_twin.py DATA_DIR PROFILE_JSON SEGMENT [--exclude ID,...] [--fields a,b]

Loads DATA_DIR/{contacts,events,consents}.csv (gen_crm.py) into SQLite with
tests/oracle/sqlite_oracle.py, computes every number of the profile of
SEGMENT (a segment of the script of test_profile.sh, its SQL in SEGMENTS) at
NOW = 2026-01-01T00:00:00Z independently of segrt, and compares it with
PROFILE_JSON; exits 1 naming the first difference. --exclude: contacts
erased or restricted in the store (not in the base). Definitions (as in
include/segrt/profile.h):
  base     the contacts not excluded; members: the segment's SQL among them
  shares   hundredths of a percent, rounded half up; index = round half up
           of (seg / members) / (base / all) x 100; none (null) for / 0
  fields   every contact column but id and the script's special-category
           one (education), in file order, or --fields; strings per value,
           sets per element, integers, numbers, dates, timestamps in bins cut
           at the base's quintiles (value floor(k n / 5) of the sorted
           values, cuts not above the previous one dropped); values ordered by
           segment count, base count (descending), value; the first 10 held by
           at least 5 contacts of the base shown, the others summed in
           "(other)"; "(missing)" last
  purchases  purchase events with ts <= NOW per category of the members
           (NULL: "(missing)") with a segment count > 0, by count (ties: value,
           name) and by value (ties: count, name), 10 each; amounts exact
  events   per type, events with ts <= NOW; reach: per purpose, members
           passing the consent rules of that script (RULES; the in-force
           record of tests/oracle/packs/_consent.sql); the purposes of the
           records and of RULES, not profiling, direct_marketing, objection,
           restriction (no channels, as in segrt report)
Python 3 standard library only.
"""
import argparse
import csv
import datetime
import json
import os
import sys
from decimal import Decimal

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'oracle'))
from sqlite_oracle import blocks, load, unixepoch  # noqa: E402

NOW = 1767225600
MAX_VALUES, MIN_BASE, TOP = 10, 5, 10

SEGMENTS = {
    'pl_high_income': "SELECT id FROM contacts WHERE country = 'PL' AND income > 15000",
    'big_spenders': """SELECT contact_id FROM events
                       WHERE type = 'purchase' AND ts <= %d
                       GROUP BY contact_id HAVING sum(amount_cents) > 200000""" % NOW,
    'nobody': "SELECT id FROM contacts WHERE country = 'XX'",
}
SENSITIVE = {'education'}
# purpose -> (accepted bases, marketing): the shipped rules, email_marketing
# narrowed by the script, postal_mail declared by it, postal_letters named by
# a segment (nobody has records of either)
RULES = {
    'email_marketing': ({'consent'}, True),
    'sms_marketing': ({'consent', 'legitimate_interest'}, True),
    'profiling': ({'consent', 'legitimate_interest'}, False),
    'personalization': ({'consent', 'legitimate_interest'}, False),
    'postal_mail': ({'consent', 'legitimate_interest'}, False),
    'postal_letters': ({'consent', 'legitimate_interest'}, False),  # a segment's purpose
}
TYPES = {'birth_date': 'date', 'income': 'integer', 'company_size': 'integer', 'lat': 'number',
         'lon': 'number', 'last_contacted_at': 'timestamp', 'created_at': 'timestamp',
         'interests': 'set', 'tags': 'set'}
BINNED = ('integer', 'number', 'date', 'timestamp')


def share(a, b):
    return None if b == 0 else (2 * a * 10000 + b) // (2 * b)


def index(a, an, b, bn):
    return None if b == 0 or an == 0 else (2 * a * bn * 100 + an * b) // (2 * an * b)


def money(cents):
    sign = '-' if cents < 0 else ''
    return '%s%d.%02d' % (sign, abs(cents) // 100, abs(cents) % 100)


def exact(typ, text):
    """A CSV cell as segrt stores it: integer, micro-units, days, seconds."""
    if typ == 'integer':
        return int(text)
    if typ == 'number':
        v = Decimal(text) * 1000000
        assert v == v.to_integral_value(), text
        return int(v)
    if typ == 'date':
        return (datetime.date.fromisoformat(text) - datetime.date(1970, 1, 1)).days
    return unixepoch(text)


def label(typ, v):
    if typ == 'integer':
        return str(v)
    if typ == 'number':
        sign, m = ('-' if v < 0 else ''), abs(v)
        frac = ('%06d' % (m % 1000000)).rstrip('0')
        return '%s%d%s' % (sign, m // 1000000, '.' + frac if frac else '')
    if typ == 'date':
        return (datetime.date(1970, 1, 1) + datetime.timedelta(days=v)).isoformat()
    return datetime.datetime.fromtimestamp(v, datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')


def row(key, name, seg, base, seg_n, base_n):
    return {key: name, 'segment': seg, 'segment_share': share(seg, seg_n), 'base': base,
            'base_share': share(base, base_n), 'index': index(seg, seg_n, base, base_n)}


def top(counts, seg_n, base_n):
    """Rows of {value: (seg, base)}: ordered, the first 10 of >= 5 base contacts, "(other)"."""
    order = sorted(counts.items(), key=lambda kv: (-kv[1][0], -kv[1][1], kv[0].encode('utf-8')))
    shown, other, folded = [], [0, 0], False
    for name, (s, b) in order:
        if len(shown) < MAX_VALUES and b >= MIN_BASE:
            shown.append(row('value', name, s, b, seg_n, base_n))
        else:
            other[0] += s
            other[1] += b
            folded = True
    if folded:
        shown.append(row('value', '(other)', other[0], other[1], seg_n, base_n))
    return shown


def field_rows(con, name, typ, seg_n, base_n):
    """The rows of one field: SQL counts over vals(id, value) of the live contacts."""
    q = ('SELECT value, count(*), sum(id IN (SELECT id FROM members)) FROM vals '
         'WHERE field = ? AND id IN (SELECT id FROM live) GROUP BY value')
    rows = []
    if typ in BINNED:
        vals = [v for (v,) in con.execute('SELECT value FROM vals WHERE field = ? AND id IN '
                                          '(SELECT id FROM live) ORDER BY value', (name,))]
        n, cuts = len(vals), []
        for k in range(1, 5):
            c = vals[k * n // 5] if n else None
            if n and c > (cuts[-1] if cuts else vals[0]):
                cuts.append(c)
        bounds = ([vals[0]] + cuts + [vals[-1]]) if n else []
        for k in range(len(bounds) - 1 if n else 0):
            lo, hi, last = bounds[k], bounds[k + 1], k == len(bounds) - 2
            s, b = con.execute(
                'SELECT sum(id IN (SELECT id FROM members)), count(*) FROM vals WHERE field = ? '
                'AND id IN (SELECT id FROM live) AND value >= ? AND (value < ? OR ?)',
                (name, lo, hi, last)).fetchone()
            rows.append(row('value', '[%s, %s%s' % (label(typ, lo), label(typ, hi),
                                                    ']' if last else ')'),
                            s or 0, b, seg_n, base_n))
    else:
        counts = {v: (s, b) for v, b, s in con.execute(q, (name,))}
        rows = top(counts, seg_n, base_n)
    # a set: no element; else no value
    s, b = con.execute('SELECT sum(id IN (SELECT id FROM members)), count(*) FROM live '
                       'WHERE id NOT IN (SELECT id FROM vals WHERE field = ?)', (name,)).fetchone()
    if b:
        rows.append(row('value', '(missing)', s or 0, b, seg_n, base_n))
    return rows


def fields(con, data, names, seg_n, base_n):
    con.execute('CREATE TABLE vals(id TEXT, field TEXT, value)')
    with open(os.path.join(data, 'contacts.csv'), newline='', encoding='utf-8') as f:
        rd = csv.DictReader(f)
        header = rd.fieldnames
        for r in rd:
            for k in names:
                typ, text = TYPES.get(k, 'string'), r[k]
                if text == '':
                    continue
                items = text.split(';') if typ == 'set' else [text]
                for item in items:
                    v = item if typ in ('string', 'set') else exact(typ, item)
                    con.execute('INSERT INTO vals VALUES (?, ?, ?)', (r['id'], k, v))
    missing = [k for k in names if k not in header]
    if missing:
        raise SystemExit('profile_twin: no column %s in contacts.csv' % missing)
    con.execute('CREATE INDEX vals_field ON vals(field, id)')
    return [{'name': k, 'type': TYPES.get(k, 'string'), 'binned': TYPES.get(k) in BINNED,
             'values': field_rows(con, k, TYPES.get(k, 'string'), seg_n, base_n)}
            for k in names]


def purchases(con):
    q = ('SELECT coalesce(category, \'(missing)\'), sum(m), sum(CASE WHEN m THEN a END), '
         'count(*), sum(a) FROM (SELECT category, coalesce(amount_cents, 0) AS a, '
         'contact_id IN (SELECT id FROM members) AS m FROM events WHERE type = \'purchase\' '
         'AND ts <= ? AND contact_id IN (SELECT id FROM live)) GROUP BY 1')
    cats = [(c, s, sv or 0, b, bv) for c, s, sv, b, bv in con.execute(q, (NOW,))]
    ts, tb = sum(c[1] for c in cats), sum(c[3] for c in cats)
    tsv, tbv = sum(c[2] for c in cats), sum(c[4] for c in cats)

    def rows(key):
        out = []
        for c, s, sv, b, bv in sorted((c for c in cats if c[1] > 0), key=key)[:TOP]:
            r = row('category', c, s, b, ts, tb)
            r['segment_value'], r['base_value'] = money(sv), money(bv)
            out.append(r)
        return out
    return {'segment': {'count': ts, 'value': money(tsv)}, 'base': {'count': tb, 'value': money(tbv)},
            'by_count': rows(lambda c: (-c[1], -c[2], c[0].encode('utf-8'))),
            'by_value': rows(lambda c: (-c[2], -c[1], c[0].encode('utf-8')))}


def events(con):
    q = ('SELECT type, sum(contact_id IN (SELECT id FROM members)), count(*) FROM events '
         'WHERE ts <= ? AND contact_id IN (SELECT id FROM live) GROUP BY type ORDER BY type')
    types = list(con.execute(q, (NOW,)))
    ts, tb = sum(t[1] for t in types), sum(t[2] for t in types)
    return {'segment': {'count': ts}, 'base': {'count': tb},
            'types': [row('type', t, s, b, ts, tb) for t, s, b in types]}


def reach(con, seg_n):
    parts = dict(blocks(os.path.join(HERE, '..', 'oracle', 'packs', '_consent.sql')))
    in_force = parts['_in_force']
    objectors = parts['_objectors'].replace('{{_in_force}}', in_force)
    con.execute('CREATE TABLE in_force AS ' + in_force)
    con.execute('CREATE TABLE objectors AS ' + objectors)
    purposes = {p for (p,) in con.execute('SELECT DISTINCT purpose FROM consents')} | set(RULES)
    purposes -= {'profiling', 'direct_marketing', 'objection', 'restriction'}
    out = []
    for p in sorted(purposes):
        bases, marketing = RULES.get(p, ({'consent', 'legitimate_interest'}, False))
        q = ('SELECT count(*) FROM in_force WHERE purpose = ? AND status = \'granted\' '
             'AND (expires_at IS NULL OR expires_at > ?) AND legal_basis IN (%s) '
             'AND contact_id IN (SELECT id FROM members)' % ','.join('?' * len(bases)))
        if marketing:
            q += ' AND contact_id NOT IN (SELECT contact_id FROM objectors)'
        (n,) = con.execute(q, (p, NOW, *sorted(bases))).fetchone()
        out.append({'purpose': p, 'reached': n, 'share': share(n, seg_n)})
    return out


def normalise(x):
    """The JSON with each share as hundredths of a percent (an integer), as the twin has them."""
    if isinstance(x, dict):
        return {k: (None if v is None else round(v * 100)) if k.endswith('share')
                else normalise(v) for k, v in x.items()}
    if isinstance(x, list):
        return [normalise(v) for v in x]
    return x


def first_difference(want, got, path='$'):
    if isinstance(want, dict) and isinstance(got, dict):
        if list(want) != list(got):
            return '%s: keys %s, expected %s' % (path, list(got), list(want))
        for k in want:
            d = first_difference(want[k], got[k], '%s.%s' % (path, k))
            if d:
                return d
        return None
    if isinstance(want, list) and isinstance(got, list):
        for i, (w, g) in enumerate(zip(want, got)):
            d = first_difference(w, g, '%s[%d]' % (path, i))
            if d:
                return d
        if len(want) != len(got):
            return '%s: %d items, expected %d' % (path, len(got), len(want))
        return None
    return None if want == got and type(want) is type(got) else \
        '%s: %r, expected %r' % (path, got, want)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('data')
    ap.add_argument('profile')
    ap.add_argument('segment')
    ap.add_argument('--exclude', default='')
    ap.add_argument('--fields')
    a = ap.parse_args()
    con = load(a.data, ':memory:')
    excluded = [i for i in a.exclude.split(',') if i]
    con.execute('CREATE TABLE live AS SELECT id FROM contacts WHERE id NOT IN (%s)'
                % ','.join('?' * len(excluded)), excluded)
    con.execute('CREATE TABLE members AS SELECT id FROM live WHERE id IN (%s)'
                % SEGMENTS[a.segment])
    con.execute('CREATE INDEX live_id ON live(id)')
    con.execute('CREATE INDEX members_id ON members(id)')
    (base_n,) = con.execute('SELECT count(*) FROM live').fetchone()
    (seg_n,) = con.execute('SELECT count(*) FROM members').fetchone()
    with open(os.path.join(a.data, 'contacts.csv'), newline='', encoding='utf-8') as f:
        header = next(csv.reader(f))
    names = a.fields.split(',') if a.fields else [k for k in header[1:] if k not in SENSITIVE]
    field_list = fields(con, a.data, names, seg_n, base_n)
    want = {'segment': a.segment, 'now': '2026-01-01T00:00:00Z', 'members': seg_n, 'base': base_n,
            'fields': field_list, 'purchases': purchases(con), 'events': events(con),
            'reach': reach(con, seg_n)}
    got = normalise(json.load(open(a.profile, encoding='utf-8')))
    d = first_difference(want, got)
    if d:
        sys.stderr.write('profile_twin: %s: %s\n' % (a.segment, d))
        sys.exit(1)
    print('%s: %d members of %d, %d fields, %d purposes agree' % (a.segment, seg_n, base_n,
                                                                  len(field_list),
                                                                  len(want['reach'])))


if __name__ == '__main__':
    main()
