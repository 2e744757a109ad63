#!/usr/bin/env python3
"""A scripted raw 9100 (AppSocket) peer for the print tests.

usage: raw_peer.py MODE PORT OUTDIR    (prints 'listening' once bound to 127.0.0.1:PORT)
  sink   each connection's bytes are written to OUTDIR/job-N.bin (N from 1) until the client closes
  stall  reads 64 KiB of the first connection, then stops reading (the socket stays open)
  pjl    answers '@PJL INFO STATUS' (CODE/DISPLAY/ONLINE from OUTDIR/status.txt, lines 'CODE=..'), form feed
         ended; other connections are sunk as in 'sink'. A job that asks '@PJL USTATUS JOB=ON' gets
         '@PJL USTATUS JOB START' at its JOB line and, once its EOJ and UEL arrived, the device messages of
         OUTDIR/device.txt (blocks separated by a blank line, if the file exists) and then
         '@PJL USTATUS JOB END' with its NAME and PAGES from OUTDIR/pages.txt (default 1); with OUTDIR/silent
         present it sends nothing and keeps the connection open
"""
import os, re, socket, sys, threading, time

MODE, PORT, OUT = sys.argv[1], int(sys.argv[2]), sys.argv[3]
count = [0]
lock = threading.Lock()


def handle(conn):
    with lock:
        count[0] += 1
        n = count[0]
    if MODE == "stall":
        got = 0
        while got < 65536:
            b = conn.recv(65536 - got)
            if not b:
                return
            got += len(b)
        print("stalled after", got, flush=True)
        time.sleep(120)
        return
    data = bytearray()
    tail = b""
    started = ended = False
    path = os.path.join(OUT, "job-%d.bin" % n)
    with open(path + ".part", "wb") as f:
        while True:
            b = conn.recv(1 << 16)
            if not b:
                break
            f.write(b)
            if MODE == "pjl" and len(data) < 4096:
                data += b
                if b"@PJL INFO STATUS" in data and data.rstrip().endswith(b"\x1b%-12345X"):
                    status = open(os.path.join(OUT, "status.txt"), "rb").read().replace(b"\n", b"\r\n")
                    conn.sendall(b"@PJL INFO STATUS\r\n" + status + b"\x0c")
            if MODE == "pjl":
                tail = (tail + b)[-512:]
                job = re.search(rb'@PJL JOB NAME="([^"]*)"', data)
                ustatus = b"@PJL USTATUS JOB=ON" in data and not os.path.exists(os.path.join(OUT, "silent"))
                if ustatus and job and not started:
                    started = True
                    conn.sendall(b'@PJL USTATUS JOB\r\nSTART\r\nNAME="' + job.group(1) + b'"\r\n\x0c')
                if ustatus and job and not ended and b"@PJL EOJ" in tail and tail.rstrip().endswith(b"\x1b%-12345X"):
                    ended = True
                    dev = os.path.join(OUT, "device.txt")
                    if os.path.exists(dev):
                        for block in open(dev, "rb").read().split(b"\n\n"):
                            if block.strip():
                                conn.sendall(b"@PJL USTATUS DEVICE\r\n" + block.strip().replace(b"\n", b"\r\n")
                                             + b"\r\n\x0c")
                    pf = os.path.join(OUT, "pages.txt")
                    pages = open(pf, "rb").read().strip() if os.path.exists(pf) else b"1"
                    conn.sendall(b'@PJL USTATUS JOB\r\nEND\r\nNAME="' + job.group(1) + b'"\r\nPAGES=' + pages
                                 + b"\r\n\x0c")
    os.rename(path + ".part", path)


def main():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if MODE == "stall":
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
    s.bind(("127.0.0.1", PORT))
    s.listen(8)
    print("listening", flush=True)
    while True:
        c, _ = s.accept()
        # c=c: the thread keeps its own connection (a late-bound c would be the next accepted one, and
        # the previous thread would close it)
        threading.Thread(target=lambda c=c: (handle(c), c.close()), daemon=True).start()


main()
