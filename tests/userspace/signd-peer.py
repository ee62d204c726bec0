#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A misbehaving (or merely busy) client of fwverify-signd, for the tests.

  signd-peer.py --port PORT --ca CA [--tls-cert C --tls-key K] MODE [ARG]...

Speaks the server's protocol (userspace/lib/wire.h: a 4-byte big-endian length,
then one JSON object) over TLS 1.3, with a client certificate only when
given one.  Prints one line saying what happened and exits 0 when it is
what the mode is for, 1 when not, 2 on a usage error.

  noclient          no certificate: send a request, print the reply
  frame LEN BYTES   a frame whose header says LEN and whose body is BYTES
  oversize          a frame header of 100000 bytes
  garbage           a frame that is not JSON
  slow              a request sent one byte a second: print when the server
                    dropped the connection
  tcponly           a TCP connection that never starts TLS: print when the
                    server dropped it
  concurrent N      N connections at once, each making --repeat real sign
                    requests: print how many came back signed
  flood N SECONDS   N TCP connections from --source that never start TLS,
                    each opened again as soon as the server closes it, for
                    SECONDS: print how many connections were made
  hostile           sign and approve requests whose strings are not text (a
                    NUL, control characters, invalid UTF-8, a lone surrogate)
                    or are long and non-ASCII: print "LABEL: STATUS: ERROR"
                    for each; exit 0 when every one was refused

The reply modes print "STATUS: ERROR; then usable|closed", the second part
saying whether a status request on the same connection still got an answer.
"""
import argparse
import base64
import hashlib
import json
import os
import resource
import select
import selectors
import socket
import ssl
import struct
import sys
import threading
import time

HOST = "127.0.0.1"


def context(args):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    ctx.load_verify_locations(args.ca)
    if args.tls_cert:
        ctx.load_cert_chain(args.tls_cert, args.tls_key)
    return ctx


def connect(ctx, args):
    sock = socket.create_connection((HOST, args.port), timeout=args.timeout)
    return ctx.wrap_socket(sock, server_hostname=HOST)


def close(conn):
    """Say goodbye with a close_notify: the server audits a connection cut off."""
    try:
        conn.unwrap()
    except (OSError, ValueError):
        pass
    conn.close()


def read_n(conn, n):
    buf = b""
    while len(buf) < n:
        chunk = conn.recv(n - len(buf))
        if not chunk:
            raise ConnectionError("the server closed the connection")
        buf += chunk
    return buf


def send_frame(conn, body, length=None):
    conn.sendall(struct.pack(">I", len(body) if length is None else length) + body)


def recv_frame(conn):
    (n,) = struct.unpack(">I", read_n(conn, 4))
    return json.loads(read_n(conn, n))


def call(conn, req):
    send_frame(conn, json.dumps(req).encode())
    return recv_frame(conn)


def sign_request(args, i):
    return {"op": "sign", "key": args.sign_key, "name": args.name,
            "sha256": hashlib.sha256(b"signd-peer %d %d" % (os.getpid(), i)).hexdigest(),
            "size": 1000 + i}


def describe(rep):
    return "%s: %s" % (rep.get("status"), rep.get("error", ""))


def then(conn):
    """Whether the connection still answers a request."""
    try:
        call(conn, {"op": "status"})
        return "usable"
    except (OSError, ValueError, struct.error):
        return "closed"


def reply_mode(args, body, length=None):
    conn = connect(context(args), args)
    try:
        send_frame(conn, body, length)
        rep = recv_frame(conn)
    except (OSError, ValueError, struct.error) as e:
        print("no reply: %s" % e)
        return 1
    print("%s; then %s" % (describe(rep), then(conn)))
    return 0


def mode_noclient(args):
    args.tls_cert = None
    return reply_mode(args, json.dumps(sign_request(args, 0)).encode())


def mode_frame(args):
    if len(args.rest) != 2:
        raise SystemExit("frame needs LEN and BYTES")
    return reply_mode(args, args.rest[1].encode(), int(args.rest[0]))


def mode_oversize(args):
    return reply_mode(args, b"", 100000)


def mode_garbage(args):
    return reply_mode(args, b"\x01this is not {JSON")


def mode_slow(args):
    body = json.dumps({"op": "status", "pad": "x" * 60}).encode()
    data = struct.pack(">I", len(body)) + body
    conn = connect(context(args), args)
    start = time.monotonic()
    for i in range(len(data)):
        try:
            conn.sendall(data[i:i + 1])
            readable, _, _ = select.select([conn], [], [], 1.0)
            if readable and not conn.recv(1):
                raise ConnectionError
        except (OSError, ConnectionError):
            print("dropped after %.1f s, %d bytes sent" % (time.monotonic() - start, i))
            return 0
        if time.monotonic() - start > args.timeout:
            break
    print("not dropped after %.1f s" % (time.monotonic() - start))
    return 1


def mode_tcponly(args):
    sock = socket.create_connection((HOST, args.port), timeout=args.timeout)
    start = time.monotonic()
    try:
        gone = not sock.recv(1)
    except socket.timeout:
        gone = False
    except OSError:
        gone = True
    took = time.monotonic() - start
    print("%s after %.1f s" % ("dropped" if gone else "not dropped", took))
    return 0 if gone else 1


def mode_concurrent(args):
    if len(args.rest) != 1:
        raise SystemExit("concurrent needs N")
    n = int(args.rest[0])
    ctx = context(args)
    barrier = threading.Barrier(n, timeout=args.timeout)
    lock = threading.Lock()
    got, errors = [], []

    def one(t):
        conn = None
        try:
            conn = connect(ctx, args)
        except OSError as e:
            with lock:
                errors.append("connect: %s" % e)
        try:
            barrier.wait()
        except threading.BrokenBarrierError:
            pass
        for i in range(args.repeat if conn else 0):
            try:
                rep = call(conn, sign_request(args, t * args.repeat + i))
                der = base64.b64decode(rep.get("signature", ""), validate=True)
                if rep.get("status") != "ok" or der[:1] != b"\x30":
                    raise ValueError(describe(rep))
            except (OSError, ValueError, struct.error) as e:
                with lock:
                    errors.append(str(e) or type(e).__name__)
                break
            with lock:
                got.append(hashlib.sha256(der).hexdigest())
        if conn:
            close(conn)

    threads = [threading.Thread(target=one, args=(t,)) for t in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if args.out:
        with open(args.out, "w") as f:
            f.writelines(h + "\n" for h in got)
    print("%d of %d signed%s" % (len(got), n * args.repeat,
                                  "; first error: %s" % errors[0] if errors else ""))
    return 0 if len(got) == n * args.repeat else 1


def hostile_requests(args):
    """(label, JSON text) of requests whose strings a server must not take as text."""
    sha = hashlib.sha256(b"hostile").hexdigest()

    def sign(name=b'"intel/hostile.bin"', key=b'"fw-dev"', sha256=b'"' + sha.encode() + b'"',
             op=b'"sign"'):
        return (b'{"op":' + op + b',"key":' + key.replace(b"fw-dev", args.sign_key.encode()) +
                b',"name":' + name + b',"sha256":' + sha256 + b',"size":1000}')
    return [
        ("NUL in name", sign(name=b'"intel/x\\u0000/../y"')),
        ("NUL in key", sign(key=b'"fw-dev\\u0000x"')),
        ("NUL in sha256", sign(sha256=b'"' + sha.encode() + b'\\u0000"')),
        ("NUL in op", sign(op=b'"sign\\u0000x"')),
        ("NUL in id", b'{"op":"approve","id":"0123456789abcdef\\u0000"}'),
        ("escape in name", sign(name=b'"intel/\\u001b[31mred.bin"')),
        ("newline in name", sign(name=b'"intel/a\\nb.bin"')),
        ("DEL in name", sign(name=b'"intel/a\x7fb.bin"')),
        ("invalid UTF-8 in name", sign(name=b'"intel/\xff\xfe.bin"')),
        ("overlong UTF-8 in name", sign(name=b'"intel/\xc0\xaf.bin"')),
        ("lone surrogate in name", sign(name=b'"intel/\\ud800.bin"')),
        # 1 + 2 * 400 bytes: a record that cuts it at 300 bytes must not split a character.
        ("long non-ASCII name", sign(name=b'"intel/a' + "\u00e9".encode() * 400 + b'.bin"')),
        ("invalid UTF-8 in key", sign(key=b'"fw-dev\xe9"')),
    ]


def mode_hostile(args):
    conn = connect(context(args), args)
    taken = 0
    for label, body in hostile_requests(args):
        try:
            send_frame(conn, body)
            rep = recv_frame(conn)
        except (OSError, ValueError, struct.error) as e:
            print("%s: no reply: %s" % (label, e))
            return 1
        taken += rep.get("status") != "refused"
        print("%s: %s" % (label, describe(rep)))
    close(conn)
    return 1 if taken else 0


def mode_flood(args):
    if len(args.rest) != 2:
        raise SystemExit("flood needs N and SECONDS")
    n, secs = int(args.rest[0]), float(args.rest[1])
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < n + 64:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, n + 64), hard))
    sel = selectors.DefaultSelector()
    made = 0

    def open_one():
        nonlocal made
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        sock.bind((args.source, 0))
        try:
            sock.connect((HOST, args.port))
        except BlockingIOError:
            pass
        except OSError:
            sock.close()
            return
        sel.register(sock, selectors.EVENT_READ)
        made += 1

    for _ in range(n):
        open_one()
    end = time.monotonic() + secs
    while time.monotonic() < end:
        for key, _ in sel.select(timeout=0.1):
            try:
                data = key.fileobj.recv(1)
            except BlockingIOError:
                continue
            except OSError:
                data = b""
            if not data:
                sel.unregister(key.fileobj)
                key.fileobj.close()
                open_one()
        while len(sel.get_map()) < n and time.monotonic() < end:
            open_one()
    for key in list(sel.get_map().values()):
        key.fileobj.close()
    print("flood: %d connections from %s in %.1f s" % (made, args.source, secs))
    return 0


MODES = {"flood": mode_flood, "hostile": mode_hostile, "noclient": mode_noclient, "frame": mode_frame, "oversize": mode_oversize,
         "garbage": mode_garbage, "slow": mode_slow, "tcponly": mode_tcponly,
         "concurrent": mode_concurrent}


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--ca", required=True, help="the server certificate's CA")
    p.add_argument("--tls-cert")
    p.add_argument("--tls-key")
    p.add_argument("--sign-key", default="fw-dev", help="the server's key to sign with")
    p.add_argument("--name", default="fw-peer.bin", help="the firmware name to sign for")
    p.add_argument("--repeat", type=int, default=1, help="sign requests per connection")
    p.add_argument("--out", help="concurrent: write each signature's SHA-256 here")
    p.add_argument("--timeout", type=float, default=20)
    p.add_argument("--source", default="127.0.0.2", help="flood: the address to connect from")
    p.add_argument("mode", choices=sorted(MODES))
    p.add_argument("rest", nargs="*")
    args = p.parse_args()
    if bool(args.tls_cert) != bool(args.tls_key):
        p.error("--tls-cert and --tls-key go together")
    try:
        return MODES[args.mode](args)
    except OSError as e:
        print("%s: %s" % (args.mode, e))
        return 1


if __name__ == "__main__":
    sys.exit(main())
