#!/usr/bin/env python3
"""Sends hostile bytes to a DNS server on 127.0.0.1 and exits; the caller
checks afterwards that the server still answers.

usage: garbage.py PORT

UDP: random datagrams (empty, short, header-sized, large), headers that
claim many records, a compression loop. TCP: random streams, a length
prefix promising more than is sent (closed early, and held open), the
largest length with a few bytes, a zero length, a lone byte, and several
idle connections left open while the rest runs.
"""
import os
import random
import socket
import struct
import sys
import time


def udp(port, rnd):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    payloads = [b"", b"\0", os.urandom(11), os.urandom(12), os.urandom(512), os.urandom(4096)]
    payloads += [os.urandom(rnd.randrange(1, 1500)) for _ in range(200)]
    # A query header that claims 65535 records of each section and has none.
    payloads.append(struct.pack("!HHHHHH", 1, 0, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF))
    # A question whose name is a compression pointer to itself.
    payloads.append(struct.pack("!HHHHHH", 2, 0, 1, 0, 0, 0) + b"\xc0\x0c" + struct.pack("!HH", 6, 1))
    # A response (QR set) to nothing we asked.
    payloads.append(struct.pack("!HHHHHH", 3, 0x8000, 0, 0, 0, 0))
    for p in payloads:
        s.sendto(p, ("127.0.0.1", port))
    s.close()


def tcp(port, payload, hold=0.0):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    try:
        s.sendall(payload)
        if hold:
            time.sleep(hold)
    except OSError:
        pass  # the server may hang up first; that is fine
    s.close()


def main():
    port = int(sys.argv[1])
    rnd = random.Random(4242)
    idle = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(5)]
    udp(port, rnd)
    for _ in range(20):
        tcp(port, os.urandom(rnd.randrange(1, 3000)))
    tcp(port, struct.pack("!H", 500) + os.urandom(10))  # promises 500, sends 10, closes
    tcp(port, struct.pack("!H", 500) + os.urandom(10), hold=1.0)  # the same, held open
    tcp(port, struct.pack("!H", 65535) + os.urandom(20), hold=0.5)
    tcp(port, struct.pack("!H", 0) * 50)
    tcp(port, b"\x01")
    tcp(port, struct.pack("!H", 12) + struct.pack("!HHHHHH", 1, 0, 0xFFFF, 0, 0, 0))
    for s in idle:
        s.close()


if __name__ == "__main__":
    main()
