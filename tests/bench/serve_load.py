#!/usr/bin/env python3
"""serve_load.py — load a running segrt serve and print what it sustained.

Usage: serve_load.py URL TOKEN EVENTS_CSV SEGMENT [--clients 8] [--batch 1000]
                     [--seconds 20] [--rate EVENTS_PER_S] [--years N] [--pid PID]

  URL         the server, e.g. http://127.0.0.1:8750
  TOKEN       a token with the read and write scopes
  EVENTS_CSV  events to post (contact_id,ts,type,amount,category,channel), as
              in the bench data; each is posted --years (default 1) later than
              its ts, so it is new to the store
  SEGMENT     the segment whose GET /v1/segments/SEGMENT is timed under load

During --seconds, --clients threads each post batches of --batch events to
POST /v1/events (each event once: the run stops early when they are used
up; with --rate the batches are paced to that many events a second in all,
else posted as fast as they are acknowledged), a process of its own posts single events one at a time, and another
GETs the segment in a loop (processes, so that the probes' timings do not
wait for the load's threads). Prints events acknowledged per second, the
latency percentiles of the single-event POSTs and of the GETs, and, with
--pid, the server's peak RSS (VmHWM). Run by hand (tests/bench/bench_serve.sh).
"""
import argparse
import csv
import http.client
import multiprocessing
import threading
import time
import urllib.parse


def events(path, limit, years):
    """Rows of the CSV as JSON lines, years on."""
    out = []
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            year = int(row["ts"][:4]) + years
            ts = "%d%s" % (year, row["ts"][4:])
            parts = ['"contact_id":"%s"' % row["contact_id"], '"ts":"%s"' % ts,
                     '"type":"%s"' % row["type"]]
            for key in ("amount", "category", "channel"):
                if row.get(key):
                    parts.append('"%s":"%s"' % (key, row[key]))
            out.append("{" + ",".join(parts) + "}\n")
            if len(out) == limit:
                break
    return out


def percentile(values, p):
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100.0 * (len(values) - 1))))]


class Load:
    def __init__(self, args):
        u = urllib.parse.urlparse(args.url)
        self.host, self.port = u.hostname, u.port
        self.headers = {"Authorization": "Bearer " + args.token,
                        "Content-Type": "application/x-ndjson"}
        self.args = args
        self.stop_at = 0.0
        self.lock = threading.Lock()
        self.acked = 0
        self.errors = 0
        self.single_ms = []
        self.get_ms = []

    def conn(self):
        return http.client.HTTPConnection(self.host, self.port, timeout=30)

    def request(self, c, method, path, body=None):
        c.request(method, path, body=body, headers=self.headers)
        r = c.getresponse()
        r.read()
        return r.status

    def batches(self, chunks, first, step):
        c = self.conn()
        n = self.args.batch
        start = time.time()
        for i in range(first, len(chunks), step):
            if time.time() >= self.stop_at:
                break
            if self.args.rate:  # batch i is due i * n / rate seconds after the start
                time.sleep(max(0.0, start + i * n / self.args.rate - time.time()))
            body = chunks[i]
            status = self.request(c, "POST", "/v1/events", body)
            with self.lock:
                if status == 200:
                    self.acked += n
                else:
                    self.errors += 1

    def singles(self, rows):
        c = self.conn()
        i = 0
        while time.time() < self.stop_at:
            t = time.perf_counter()
            status = self.request(c, "POST", "/v1/events", rows[i % len(rows)].encode())
            ms = (time.perf_counter() - t) * 1000
            i += 1
            with self.lock:
                self.single_ms.append(ms)
                self.errors += status != 200

    def gets(self):
        c = self.conn()
        path = "/v1/segments/" + urllib.parse.quote(self.args.segment)
        while time.time() < self.stop_at:
            t = time.perf_counter()
            status = self.request(c, "GET", path)
            ms = (time.perf_counter() - t) * 1000
            with self.lock:
                self.get_ms.append(ms)
                self.errors += status != 200
            time.sleep(0.002)


def probe(kind, args, rows, stop_at, out):
    """A probe in its own process: its latencies (ms) and error count into out."""
    load = Load(args)
    load.stop_at = stop_at
    if kind == "single":
        load.singles(rows)
        out.put((kind, load.single_ms, load.errors))
    else:
        load.gets()
        out.put((kind, load.get_ms, load.errors))


def peak_rss_mib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("url")
    ap.add_argument("token")
    ap.add_argument("events_csv")
    ap.add_argument("segment")
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--batch", type=int, default=1000)
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--rate", type=float, default=0)
    ap.add_argument("--years", type=int, default=1)
    ap.add_argument("--pid", type=int)
    args = ap.parse_args()
    need = int(min(3000000, 150000 * args.seconds)) + 20000
    rows = events(args.events_csv, need, args.years)
    singles = rows[-20000:]
    rows = rows[:-20000]
    n = args.batch
    chunks = ["".join(rows[i:i + n]).encode() for i in range(0, len(rows) - n + 1, n)]
    load = Load(args)
    start = time.time()
    load.stop_at = start + args.seconds
    out = multiprocessing.Queue()
    probes = [multiprocessing.Process(target=probe, args=(k, args, singles, load.stop_at, out))
              for k in ("single", "get")]
    for p in probes:
        p.start()
    threads = [threading.Thread(target=load.batches, args=(chunks, i, args.clients))
               for i in range(args.clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    took = time.time() - start
    for _ in probes:
        kind, ms, errors = out.get()
        load.errors += errors
        if kind == "single":
            load.single_ms = ms
        else:
            load.get_ms = ms
    for p in probes:
        p.join()
    print("clients %d x batches of %d events, %.1f s%s" % (
        args.clients, args.batch, took,
        " (events used up early)" if took < args.seconds - 0.5 else ""))
    print("events acknowledged: %d (%.0f events/s), errors: %d"
          % (load.acked, load.acked / took, load.errors))
    print("single-event POST: n %d, p50 %.2f ms, p99 %.2f ms, max %.2f ms"
          % (len(load.single_ms), percentile(load.single_ms, 50),
             percentile(load.single_ms, 99), max(load.single_ms or [float("nan")])))
    print("GET /v1/segments/%s: n %d, p50 %.2f ms, p99 %.2f ms, max %.2f ms"
          % (args.segment, len(load.get_ms), percentile(load.get_ms, 50),
             percentile(load.get_ms, 99), max(load.get_ms or [float("nan")])))
    if args.pid:
        print("server peak RSS: %.0f MiB" % peak_rss_mib(args.pid))


if __name__ == "__main__":
    main()
