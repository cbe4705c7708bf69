#!/usr/bin/env python3
"""SQLite oracle for the segment tests: expected member sets of segments.

Usage: sqlite_oracle.py DATA_DIR OUT_DIR [--anchors QUERIES_SQLITE_SQL]
                        [--extra EXTRA_SQL] [--parts PARTS_SQL ...] [--pack PACK_SQL ...]
                        [--db PATH] [--reference REFERENCE_PY]

1. Loads DATA_DIR/{contacts,events,consents}.csv into a SQLite database (in
   memory, or the file PATH, replaced) with the schema and conversions of
   ../shared/bench/anchors/load_sqlite.sh, done in Python so no sqlite3 CLI is
   needed: timestamps -> INTEGER unix seconds, amounts -> INTEGER cents (parsed
   exactly), empty optional cells -> NULL, the same indexes. Rows keep file
   order, so rowid = import order.
2. Turns every anchor block of QUERIES_SQLITE_SQL ("SELECT count(*) FROM ...")
   into a member-id query and checks that it returns as many distinct ids as
   the original count query.
3. Runs every block of EXTRA_SQL and of each PACK_SQL (already member-id
   queries; `{{name}}` is replaced by the query of an earlier block of the
   same file, or of a PARTS_SQL file; a block whose name starts with "_", and
   every block of a PARTS_SQL file, is such a part only, not a segment).
   Queries may call split_bucket(name, id): a contact's bucket in an A/B split
   (xxh64.py), for the twins of seg.split arms.
4. With --reference, runs the SQL-free reference_counts.py on DATA_DIR and
   checks that it agrees with the anchor counts.

Writes OUT_DIR/<segment>.ids (member ids sorted by byte order, one a line) and
OUT_DIR/manifest ("<group> <segment> <count>" lines, group anchors|extra); the
segments of PACK_SQL (named by its file, e.g. saas.sql -> saas) go to
OUT_DIR/<pack>/<segment>.ids and "<pack> <segment> <count>" lines.
Exits 1 with a message when a check fails. Python 3 standard library only.
"""
import argparse
import calendar
import csv
import json
import os
import re
import sqlite3
import subprocess
import sys
from decimal import Decimal

from xxh64 import split_bucket

_day_cache = {}


def unixepoch(s):
    """'YYYY-MM-DDTHH:MM:SSZ' -> unix seconds; '' -> None."""
    if not s:
        return None
    d = _day_cache.get(s[:10])
    if d is None:
        d = calendar.timegm((int(s[0:4]), int(s[5:7]), int(s[8:10]), 0, 0, 0))
        _day_cache[s[:10]] = d
    return d + int(s[11:13]) * 3600 + int(s[14:16]) * 60 + int(s[17:19])


_two_places = re.compile(r'-?[0-9]+\.[0-9][0-9]\Z')


def cents(s):
    """Decimal text -> exact integer cents; '' -> None."""
    if not s:
        return None
    if _two_places.match(s):
        return int(s.replace('.', ''))
    v = Decimal(s) * 100
    if v != v.to_integral_value():
        raise ValueError('amount %r has more than two decimals' % s)
    return int(v)


def nullif(s):
    return s if s != '' else None


def int_or_none(s):
    return int(s) if s != '' else None


SCHEMA = """
CREATE TABLE contacts(
  id TEXT PRIMARY KEY, email TEXT NOT NULL, first_name TEXT, last_name TEXT, gender TEXT,
  birth_date TEXT, marital_status TEXT, education TEXT, occupation TEXT, income INTEGER,
  country TEXT, region TEXT, city TEXT, urban TEXT, lat REAL, lon REAL, language TEXT,
  status TEXT, loss_reason TEXT, last_contacted_at INTEGER,
  plan TEXT, company_size INTEGER, industry TEXT, interests TEXT, tags TEXT,
  created_at INTEGER);
CREATE TABLE events(
  contact_id TEXT NOT NULL, ts INTEGER NOT NULL, type TEXT NOT NULL,
  amount_cents INTEGER, category TEXT, channel TEXT);
CREATE TABLE consents(
  contact_id TEXT NOT NULL, purpose TEXT NOT NULL, status TEXT NOT NULL, legal_basis TEXT,
  ts INTEGER NOT NULL, expires_at INTEGER, source TEXT);
"""

INDEXES = """
CREATE INDEX contacts_region ON contacts(region);
CREATE INDEX contacts_plan ON contacts(plan);
CREATE INDEX contacts_status_reason ON contacts(status, loss_reason, last_contacted_at);
CREATE INDEX contacts_marital_birth ON contacts(marital_status, birth_date, income);
CREATE INDEX events_type_contact ON events(type, contact_id, ts, amount_cents, category);
CREATE INDEX events_type_cat_ts ON events(type, category, ts, contact_id);
CREATE INDEX consents_contact_purpose_ts ON consents(contact_id, purpose, ts);
"""


def rows(path):
    with open(path, newline='', encoding='utf-8') as f:
        rd = csv.reader(f)
        next(rd)
        yield from rd


def contact_row(r):
    (cid, email, first, last, gender, birth, marital, education, occupation, income,
     country, region, city, urban, lat, lon, language, status, loss_reason,
     last_contacted_at, plan, company_size, industry, interests, tags, created_at) = r
    return (cid, email, first, last, gender, birth, marital, education, occupation,
            int(income), country, region, city, urban, float(lat), float(lon), language,
            status, nullif(loss_reason), unixepoch(last_contacted_at), plan,
            int_or_none(company_size), nullif(industry), nullif(interests), nullif(tags),
            unixepoch(created_at))


def event_row(r):
    cid, ts, typ, amount, category, channel = r
    return (cid, unixepoch(ts), typ, cents(amount), nullif(category), channel)


def consent_row(r):
    cid, purpose, status, basis, ts, expires_at, source = r
    return (cid, purpose, status, basis, unixepoch(ts), unixepoch(expires_at), source)


def load(data, db):
    for suffix in ('', '-journal', '-wal', '-shm'):
        if os.path.exists(db + suffix):
            os.remove(db + suffix)
    con = sqlite3.connect(db)
    con.execute('PRAGMA journal_mode = OFF')
    con.execute('PRAGMA synchronous = OFF')
    con.executescript(SCHEMA)
    con.executemany('INSERT INTO contacts VALUES (%s)' % ','.join('?' * 26),
                    map(contact_row, rows(os.path.join(data, 'contacts.csv'))))
    con.executemany('INSERT INTO events VALUES (?,?,?,?,?,?)',
                    map(event_row, rows(os.path.join(data, 'events.csv'))))
    con.executemany('INSERT INTO consents VALUES (?,?,?,?,?,?,?)',
                    map(consent_row, rows(os.path.join(data, 'consents.csv'))))
    con.executescript(INDEXES)
    con.create_function('split_bucket', 2, split_bucket, deterministic=True)
    con.execute('ANALYZE')
    con.commit()
    return con


def blocks(path):
    """[(name, sql)] of a file of '-- name: X' separated blocks, in order."""
    text = open(path, encoding='utf-8').read()
    parts = re.split(r'^-- name: *(\S+) *$', text, flags=re.M)
    out = []
    for i in range(1, len(parts), 2):
        sql = parts[i + 1].strip()
        # drop the trailing ';' and comment lines after it
        sql = sql[:sql.rindex(';')] if ';' in sql else sql
        out.append((parts[i], sql))
    return out


_count_head = re.compile(r'SELECT count\(\*\) FROM (contacts c|contacts|q)\b')
_id_head = {'contacts c': 'SELECT c.id FROM contacts c', 'contacts': 'SELECT id FROM contacts',
            'q': 'SELECT contact_id FROM q'}


def member_query(name, count_sql):
    """The anchors' count query turned into a query of the member ids."""
    heads = _count_head.findall(count_sql)
    if len(heads) != 1:
        raise SystemExit('sqlite_oracle: %s: expected one "SELECT count(*) FROM contacts|q", '
                         'found %d' % (name, len(heads)))
    return _count_head.sub(lambda m: _id_head[m.group(1)], count_sql)


def member_ids(con, name, sql):
    ids = [r[0] for r in con.execute(sql)]
    if len(ids) != len(set(ids)):
        raise SystemExit('sqlite_oracle: %s: the query returns duplicate ids' % name)
    if any(not isinstance(i, str) for i in ids):
        raise SystemExit('sqlite_oracle: %s: the query returns non-text ids' % name)
    # byte order of the UTF-8 ids (= code point order)
    return sorted(ids, key=lambda s: s.encode('utf-8'))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('data')
    ap.add_argument('out')
    ap.add_argument('--anchors')
    ap.add_argument('--extra')
    ap.add_argument('--parts', action='append', default=[])
    ap.add_argument('--pack', action='append', default=[])
    ap.add_argument('--db')
    ap.add_argument('--reference')
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    con = load(a.data, a.db or ':memory:')
    manifest = []
    problems = []

    anchor_counts = {}
    for name, sql in blocks(a.anchors) if a.anchors else []:
        count = con.execute(sql).fetchone()[0]
        ids = member_ids(con, name, member_query(name, sql))
        if len(ids) != count:
            problems.append('%s: the member-id query returns %d ids, the count query %d'
                            % (name, len(ids), count))
        anchor_counts[name] = count
        manifest.append(('anchors', name, ids))

    groups = [(None, p) for p in a.parts]
    groups += [('extra', a.extra)] if a.extra else []
    groups += [(os.path.splitext(os.path.basename(p))[0], p) for p in a.pack]
    parts = {}
    for group, path in groups:
        done = dict(parts)
        for name, sql in blocks(path):
            def expand(m):
                ref = m.group(1)
                if ref not in done:
                    raise SystemExit('sqlite_oracle: %s refers to {{%s}}, not an earlier block'
                                     % (name, ref))
                return done[ref]
            sql = re.sub(r'\{\{([^}]+)\}\}', expand, sql)
            done[name] = sql
            if group is None:
                parts[name] = sql
            elif not name.startswith('_'):  # "_name": a part for later blocks, not a segment
                manifest.append((group, name, member_ids(con, name, sql)))

    if a.reference:
        ref_json = os.path.join(a.out, 'reference.json')
        subprocess.run([sys.executable, a.reference, a.data, '--json', ref_json],
                       check=True, stdout=subprocess.DEVNULL)
        ref = json.load(open(ref_json))
        for name, count in anchor_counts.items():
            if ref.get(name) != count:
                problems.append('%s: SQLite counts %d, reference_counts.py %s'
                                % (name, count, ref.get(name)))
        if set(ref) != set(anchor_counts):
            problems.append('reference_counts.py segments %s differ from the anchors %s'
                            % (sorted(ref), sorted(anchor_counts)))

    def ids_path(group, name):
        if group in ('anchors', 'extra'):
            return os.path.join(a.out, name + '.ids')
        os.makedirs(os.path.join(a.out, group), exist_ok=True)
        return os.path.join(a.out, group, name + '.ids')

    paths = [ids_path(g, n) for g, n, _ in manifest]
    if len(paths) != len(set(paths)):
        problems.append('duplicate segment names: %s'
                        % sorted(p for p in paths if paths.count(p) > 1))
    with open(os.path.join(a.out, 'manifest'), 'w') as mf:
        for (group, name, ids), path in zip(manifest, paths):
            with open(path, 'w', encoding='utf-8') as f:
                f.writelines(i + '\n' for i in ids)
            mf.write('%s %s %d\n' % (group, name, len(ids)))
    if problems:
        sys.stderr.write('sqlite_oracle: ' + '\nsqlite_oracle: '.join(problems) + '\n')
        sys.exit(1)


if __name__ == '__main__':
    main()
