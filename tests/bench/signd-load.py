#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Load generator of fwverify-signd, for tests/bench/signd-bench.sh.

CLIENTS persistent TLS 1.3 connections (client certificate), each sending
back-to-back sign requests, framed as the server wants them (userspace/lib/wire.h:
a 4-byte big-endian length, then one JSON object):

    {"op":"sign","key":KEY,"name":"bench/N.bin","sha256":HEX,"size":SIZE}

REQUESTS in all, shared evenly between the clients.  The clock starts once
every connection has finished its handshake and stops at the last reply, so
the figure is signatures per second, not handshakes.  Every reply must be
{"status":"ok"} with a signature, else the run fails (exit 1).

The clients are threads of one process, or spread over --procs processes
if the GIL should ever limit a run.  One process is the default: a request
costs the generator some 150 us of CPU, far from a core at the rates a
server reaches, and more processes only take CPU from the server on a small
machine.  The line printed gives that CPU time per request, measured from
the start to the last reply, which tells whether the generator could have
been the bottleneck.

Output, one line:
  LOAD clients=N requests=R seconds=S rps=X p50_ms=A p99_ms=B max_ms=C client_cpu_us=U
"""
import argparse
import json
import multiprocessing as mp
import os
import socket
import ssl
import struct
import sys
import threading
import time


def recv_exact(sock, n):
    buf = bytearray(n)
    view = memoryview(buf)
    got = 0
    while got < n:
        k = sock.recv_into(view[got:], n - got)
        if not k:
            raise ConnectionError("the server closed the connection")
        got += k
    return bytes(buf)


def connect(a):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    ctx.load_cert_chain(a.cert, a.tls_key)
    ctx.load_verify_locations(a.ca)
    raw = socket.create_connection((a.host, a.port), timeout=60)
    raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return ctx.wrap_socket(raw, server_hostname=a.server_name)


def client(a, idx, count, ready, go, out):
    """One connection: handshake, wait for go, then COUNT requests."""
    lat = []
    err = None
    try:
        s = connect(a)
        ready.release()
        go.wait()
        for i in range(count):
            n = idx * 1000000 + i
            req = json.dumps({"op": "sign", "key": a.key, "name": "bench/%d.bin" % n,
                              "sha256": os.urandom(32).hex(), "size": a.size}).encode()
            t = time.monotonic()
            s.sendall(struct.pack(">I", len(req)) + req)
            (ln,) = struct.unpack(">I", recv_exact(s, 4))
            rep = json.loads(recv_exact(s, ln))
            lat.append(time.monotonic() - t)
            if rep.get("status") != "ok" or not rep.get("signature"):
                raise RuntimeError("request %d: %s" % (n, rep.get("error") or rep.get("status")))
        s.close()
    except Exception as e:  # reported by the parent
        err = "client %d: %s" % (idx, e)
        ready.release()
    out.append((time.monotonic(), lat, err))


def worker(a, first, counts, ready, go, q):
    """A process running len(counts) client threads; puts (ends, latencies, errors, cpu)."""
    out = []
    local_go = threading.Event()
    threads = [threading.Thread(target=client, args=(a, first + i, c, ready, local_go, out))
               for i, c in enumerate(counts)]
    for t in threads:
        t.start()
    go.wait()
    cpu = time.process_time()
    local_go.set()
    for t in threads:
        t.join()
    q.put(([o[0] for o in out], [x for o in out for x in o[1]], [o[2] for o in out if o[2]],
           time.process_time() - cpu))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--server-name", default="localhost")
    p.add_argument("--cert", required=True, help="client certificate (PEM)")
    p.add_argument("--tls-key", required=True, help="its private key (PEM)")
    p.add_argument("--ca", required=True, help="CA of the server certificate")
    p.add_argument("--key", default="fw-dev", help="the server's signing key")
    p.add_argument("--clients", type=int, default=1)
    p.add_argument("--requests", type=int, default=400)
    p.add_argument("--size", type=int, default=4096, help="the size each request claims")
    p.add_argument("--procs", type=int, default=1, help="processes the clients are spread over")
    a = p.parse_args()
    if a.clients < 1 or a.requests < a.clients:
        p.error("need 1 <= clients <= requests")
    procs = max(1, min(a.procs, a.clients))

    counts = [a.requests // a.clients + (i < a.requests % a.clients) for i in range(a.clients)]
    ready = mp.Semaphore(0)
    go = mp.Event()
    q = mp.Queue()
    ps, first = [], 0
    for k in range(procs):
        share = counts[first:first + (a.clients - first) // (procs - k)]
        ps.append(mp.Process(target=worker, args=(a, first, share, ready, go, q)))
        first += len(share)
    for pr in ps:
        pr.start()
    for _ in range(a.clients):
        ready.acquire()
    t0 = time.monotonic()
    go.set()
    ends, lat, errs, cpu = [], [], [], 0.0
    for _ in ps:
        e, l, er, c = q.get()
        ends += e
        lat += l
        errs += er
        cpu += c
    for pr in ps:
        pr.join()
    if errs:
        for e in errs[:5]:
            print("signd-load: " + e, file=sys.stderr)
        sys.exit(1)
    secs = max(ends) - t0
    lat.sort()
    pct = lambda f: lat[min(len(lat) - 1, int(f * len(lat)))] * 1e3
    print("LOAD clients=%d requests=%d seconds=%.3f rps=%.1f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f "
          "client_cpu_us=%.0f procs=%d" % (a.clients, len(lat), secs, len(lat) / secs, pct(0.5),
                                           pct(0.99), lat[-1] * 1e3, cpu * 1e6 / len(lat), procs))


if __name__ == "__main__":
    main()
