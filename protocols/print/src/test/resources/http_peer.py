#!/usr/bin/env python3
"""A scripted HTTP/1.1 IPP peer for the print tests' fault cases (an independent implementation).

usage: http_peer.py MODE PORT   (prints 'listening' once bound to 127.0.0.1:PORT)
modes: basic, digest (need Authorization user/secret, then answer IPP successful-ok), 426, 503,
huge (Content-Length of 1 GiB), trickle (a valid chunked IPP answer, one byte per send), garbage,
stall (sends 100 Continue, then never reads the document), ok.
"""
import base64, hashlib, os, socket, struct, sys, threading, time

MODE, PORT = sys.argv[1], int(sys.argv[2])
USER, PASSWORD, REALM = "user", "s3cret", "printers"
NONCE = base64.b64encode(os.urandom(12)).decode()


def ipp_ok(request_id):
    def attr(tag, name, value):
        n, v = name.encode(), value if isinstance(value, bytes) else value.encode()
        return bytes([tag]) + struct.pack(">H", len(n)) + n + struct.pack(">H", len(v)) + v
    body = struct.pack(">HHI", 0x0200, 0, request_id) + b"\x01"
    body += attr(0x47, "attributes-charset", "utf-8") + attr(0x48, "attributes-natural-language", "en")
    body += b"\x04" + attr(0x23, "printer-state", struct.pack(">i", 3)) + attr(0x44, "printer-state-reasons", "none")
    body += attr(0x42, "printer-name", "scripted")
    body += b"\x02" + attr(0x21, "job-id", struct.pack(">i", 7)) + attr(0x23, "job-state", struct.pack(">i", 3)) + b"\x03"
    return body


def read_request(f):
    line = f.readline()
    if not line:
        return None
    headers = {}
    while True:
        h = f.readline()
        if h in (b"\r\n", b"\n", b""):
            break
        k, _, v = h.decode("latin-1").partition(":")
        headers[k.strip().lower()] = v.strip()
    return line.decode("latin-1"), headers


def read_body(f, headers):
    if headers.get("transfer-encoding", "").lower() == "chunked":
        out = b""
        while True:
            size = int(f.readline().split(b";")[0].strip(), 16)
            if size == 0:
                f.readline()
                return out
            data = f.read(size)
            f.readline()
            if len(out) < 65536:
                out += data[: 65536 - len(out)]
    n = int(headers.get("content-length", "0"))
    return f.read(n)


def digest_ok(auth, method, uri):
    if not auth.lower().startswith("digest "):
        return False
    p = {}
    for part in auth[7:].split(","):
        k, _, v = part.strip().partition("=")
        p[k.strip()] = v.strip().strip('"')
    h = lambda s: hashlib.sha256(s.encode()).hexdigest()
    ha1, ha2 = h(f"{USER}:{REALM}:{PASSWORD}"), h(f"{method}:{p.get('uri')}")
    want = h(f"{ha1}:{NONCE}:{p.get('nc')}:{p.get('cnonce')}:{p.get('qop')}:{ha2}")
    return p.get("username") == USER and p.get("nonce") == NONCE and p.get("response") == want and p.get("uri") == uri


def send(conn, status, headers, body=b""):
    head = f"HTTP/1.1 {status}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers) + "\r\n"
    conn.sendall(head.encode("latin-1") + body)


def handle(conn):
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    f = conn.makefile("rb")
    while True:
        req = read_request(f)
        if req is None:
            return
        line, headers = req
        method, uri = line.split()[0], line.split()[1]
        expect = headers.get("expect", "").lower() == "100-continue"
        if MODE in ("basic", "digest"):
            auth = headers.get("authorization", "")
            good = (auth == "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()) if MODE == "basic" \
                else digest_ok(auth, method, uri)
            if not good:
                challenge = f'Basic realm="{REALM}"' if MODE == "basic" else \
                    f'Digest realm="{REALM}", qop="auth", algorithm=SHA-256, nonce="{NONCE}", opaque="xyz"'
                if expect:
                    send(conn, "401 Unauthorized", [("WWW-Authenticate", challenge), ("Content-Length", "0"),
                                                     ("Connection", "close")])
                    return
                read_body(f, headers)
                send(conn, "401 Unauthorized", [("WWW-Authenticate", challenge), ("Content-Length", "0")])
                continue
        if MODE == "426":
            read_body(f, headers) if not expect else None
            send(conn, "426 Upgrade Required", [("Upgrade", "TLS/1.2,TLS/1.1,TLS/1.0"), ("Connection", "Upgrade"),
                                                ("Content-Length", "0")])
            if expect:
                return
            continue
        if MODE == "stall":
            if expect:
                send(conn, "100 Continue", [])
            time.sleep(60)
            return
        if expect:
            send(conn, "100 Continue", [])
        body = read_body(f, headers)
        rid = struct.unpack(">I", body[4:8])[0] if len(body) >= 8 else 0
        if MODE == "503":
            send(conn, "503 Service Unavailable", [("Content-Length", "0")])
        elif MODE == "huge":
            send(conn, "200 OK", [("Content-Type", "application/ipp"), ("Content-Length", str(1 << 30))], b"\x02\x00")
            time.sleep(30)
            return
        elif MODE == "garbage":
            conn.sendall(b"SSH-2.0-OpenSSH_9.2\r\n\r\n")
            return
        elif MODE == "trickle":
            payload = ipp_ok(rid)
            half = len(payload) // 2
            raw = (b"HTTP/1.1 200 OK\r\nContent-Type: application/ipp\r\nTransfer-Encoding: chunked\r\n\r\n"
                   + b"%x\r\n" % half + payload[:half] + b"\r\n" + b"%x;ext=1\r\n" % (len(payload) - half)
                   + payload[half:] + b"\r\n0\r\nX-Trailer: t\r\n\r\n")
            for i in range(len(raw)):
                conn.sendall(raw[i:i + 1])
                time.sleep(0.001)
        else:
            send(conn, "200 OK", [("Content-Type", "application/ipp"), ("Content-Length", str(len(ipp_ok(rid))))],
                 ipp_ok(rid))


def main():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", PORT))
    s.listen(16)
    print("listening", flush=True)
    while True:
        c, _ = s.accept()
        print("accepted", flush=True)
        # c=c: the thread keeps its own connection (a late-bound c would be the next accepted one, and
        # the previous thread would close it)
        threading.Thread(target=lambda c=c: (handle(c), c.close()), daemon=True).start()


main()
