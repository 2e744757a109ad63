#!/usr/bin/env python3
"""Delays, and so reorders, the packets that iptables' NFQUEUE target hands to it.

A stand-in for `tc qdisc add ... netem delay MEAN JITTER` on a kernel without the netem queueing
discipline (issue 21's fault suite). Run it inside the network namespace whose iptables rules send
packets to queue QUEUE (`-j NFQUEUE --queue-num QUEUE`): every packet is let through after a delay
drawn uniformly from [MEAN - JITTER, MEAN + JITTER] milliseconds, so two packets closer together
than the jitter may leave in the other order, as with netem. The packets themselves stay in the
kernel; this program only gives each one its verdict (accept) late, over netlink (NETLINK_NETFILTER,
nfnetlink_queue, copy mode "meta": no payload is copied). Needs root (CAP_NET_ADMIN).

    nfq-delay.py QUEUE MEAN_MS JITTER_MS [SEED]

Prints "bound QUEUE" once the queue is bound (the caller adds its rules after that), and on SIGTERM
or SIGINT lets every held packet through at once, prints "released N reordered M maxlate L" (M: packets let through after one with a later id;
L: the largest lateness past its due time in ms, the program's own scheduling error) and exits.
"""
import errno
import heapq
import random
import select
import signal
import socket
import struct
import sys
import time

NETLINK_NETFILTER = 12
NFNL_SUBSYS_QUEUE = 3
NFQNL_MSG_PACKET = 0
NFQNL_MSG_VERDICT = 1
NFQNL_MSG_CONFIG = 2
NFQA_CFG_CMD = 1
NFQA_CFG_PARAMS = 2
NFQA_CFG_QUEUE_MAXLEN = 3
NFQNL_CFG_CMD_BIND = 1
NFQNL_COPY_META = 1
NFQA_PACKET_HDR = 1
NFQA_VERDICT_HDR = 2
NF_ACCEPT = 1
NLM_F_REQUEST = 1
NLM_F_ACK = 4
NLMSG_ERROR = 2
SO_RCVBUFFORCE = 33


def attr(kind, payload):
    length = 4 + len(payload)
    return struct.pack("=HH", length, kind) + payload + b"\0" * ((4 - length % 4) % 4)


def message(kind, queue, attrs, flags, seq):
    body = struct.pack("=BB", socket.AF_UNSPEC, 0) + struct.pack("!H", queue) + attrs
    return struct.pack("=IHHII", 16 + len(body), (NFNL_SUBSYS_QUEUE << 8) | kind, flags, seq, 0) + body


def messages(data):
    """(type, payload after the nlmsghdr) of every netlink message in one datagram."""
    at = 0
    while at + 16 <= len(data):
        length, kind, _flags, _seq, _pid = struct.unpack_from("=IHHII", data, at)
        if length < 16:
            break
        yield kind, data[at + 16:at + length]
        at += (length + 3) & ~3


def attributes(payload):
    at = 4  # after the nfgenmsg
    while at + 4 <= len(payload):
        length, kind = struct.unpack_from("=HH", payload, at)
        if length < 4:
            break
        yield kind & 0x7FFF, payload[at + 4:at + length]
        at += (length + 3) & ~3


def configure(sock, queue, attrs, seq):
    sock.send(message(NFQNL_MSG_CONFIG, queue, attrs, NLM_F_REQUEST | NLM_F_ACK, seq))
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        ready, _, _ = select.select([sock], [], [], 1)
        if not ready:
            continue
        for kind, payload in messages(sock.recv(65536)):
            if kind == NLMSG_ERROR:
                (code,) = struct.unpack_from("=i", payload, 0)
                if code != 0:
                    raise OSError(-code, "nfnetlink_queue refused the configuration of queue %d: %s"
                                  % (queue, errno.errorcode.get(-code, str(-code))))
                return
    raise TimeoutError("nfnetlink_queue did not acknowledge the configuration of queue %d in 5 s" % queue)


def main():
    if len(sys.argv) not in (4, 5):
        sys.exit("usage: nfq-delay.py QUEUE MEAN_MS JITTER_MS [SEED]")
    queue = int(sys.argv[1])
    mean = float(sys.argv[2]) / 1000
    jitter = float(sys.argv[3]) / 1000
    if mean < 0 or jitter < 0 or jitter > mean:
        sys.exit("nfq-delay.py: need 0 <= JITTER_MS <= MEAN_MS")
    rnd = random.Random(int(sys.argv[4]) if len(sys.argv) == 5 else None)
    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_NETFILTER)
    sock.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 8 * 1024 * 1024)
    sock.bind((0, 0))
    configure(sock, queue, attr(NFQA_CFG_CMD, struct.pack("!BBH", NFQNL_CFG_CMD_BIND, 0, 0)), 1)
    configure(sock, queue, attr(NFQA_CFG_PARAMS, struct.pack("!IB", 0, NFQNL_COPY_META)), 2)
    configure(sock, queue, attr(NFQA_CFG_QUEUE_MAXLEN, struct.pack("!I", 65536)), 3)
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    print("bound %d" % queue, flush=True)

    due = []  # (release time, packet id)
    released = reordered = 0
    highest = -1
    max_late = 0.0
    while not stop:
        now = time.monotonic()
        while due and due[0][0] <= now:
            at, packet = heapq.heappop(due)
            verdict = attr(NFQA_VERDICT_HDR, struct.pack("!II", NF_ACCEPT, packet))
            sock.send(message(NFQNL_MSG_VERDICT, queue, verdict, NLM_F_REQUEST, 0))
            released += 1
            max_late = max(max_late, now - at)
            if packet < highest:
                reordered += 1
            highest = max(highest, packet)
        timeout = max(0.0, due[0][0] - time.monotonic()) if due else 0.5
        try:
            ready, _, _ = select.select([sock], [], [], timeout)
        except InterruptedError:
            continue
        if not ready:
            continue
        try:
            data = sock.recv(1 << 20)
        except OSError as e:
            if e.errno == errno.ENOBUFS:  # the socket overflowed: the kernel dropped those packets
                continue
            raise
        arrived = time.monotonic()
        for kind, payload in messages(data):
            if kind != (NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_PACKET:
                continue
            for a, value in attributes(payload):
                if a == NFQA_PACKET_HDR:
                    (packet,) = struct.unpack_from("!I", value, 0)
                    heapq.heappush(due, (arrived + rnd.uniform(mean - jitter, mean + jitter), packet))
    for _, packet in due:  # let the rest through at once: a stopped delay loses nothing
        sock.send(message(NFQNL_MSG_VERDICT, queue, attr(NFQA_VERDICT_HDR, struct.pack("!II", NF_ACCEPT, packet)),
                          NLM_F_REQUEST, 0))
        released += 1
    print("released %d reordered %d maxlate %.1f" % (released, reordered, max_late * 1000), flush=True)


if __name__ == "__main__":
    main()
