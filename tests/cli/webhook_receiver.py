#!/usr/bin/env python3
"""webhook_receiver.py — a tiny webhook receiver for the outbox delivery tests.

Listens on 127.0.0.1 (port 0: one the system picks), writes the port to
--port-file once it listens, and appends one JSON line per request to --log:
{"path", "method", "key" (the Idempotency-Key header), "type" (Content-Type),
"body" (the parsed JSON, or the text when it is not JSON), "status"}.

How it answers is read from --control before each request (a missing or
empty file: 200): a number is the status to answer ("500"); "hang" logs the
request, then waits 60 s before answering (a receiver that does not answer).
A receiver that is down is simply not running: stop it, start it again with
--port of the first one.

Usage: webhook_receiver.py --log FILE --port-file FILE [--control FILE] [--port N]
"""
import argparse
import http.server
import json
import os
import threading
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--log", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--control")
    ap.add_argument("--port", type=int, default=0)
    args = ap.parse_args()
    lock = threading.Lock()

    def answer():
        try:
            with open(args.control) as f:
                text = f.read().strip()
        except (OSError, TypeError):
            text = ""
        return text or "200"

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as a real receiver

        def do_POST(self):
            n = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(n).decode("utf-8", "replace")
            try:
                body = json.loads(raw)
            except ValueError:
                body = raw
            how = answer()
            status = 200 if how == "hang" else int(how)
            line = {"path": self.path, "method": "POST", "key": self.headers.get("Idempotency-Key"),
                    "type": self.headers.get("Content-Type"), "body": body,
                    "status": "hang" if how == "hang" else status}
            with lock, open(args.log, "a") as f:
                f.write(json.dumps(line) + "\n")
            if how == "hang":
                time.sleep(60)
            out = b'{"ok":true}'
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)

        def log_message(self, fmt, *a):  # quiet
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(server.server_address[1]))
    os.replace(tmp, args.port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
