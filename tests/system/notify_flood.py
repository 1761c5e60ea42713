#!/usr/bin/env python3
"""Sends NOTIFY(SOA) for ZONE naming SERIAL to 127.0.0.1:PORT, RATE a
second for SECONDS, from 127.0.0.1 (where the zone's primary is, so
signerd accepts them, as it would a spoofed or replayed NOTIFY). Prints
how many it sent. Answers are read and dropped.
    notify_flood.py PORT ZONE SERIAL RATE SECONDS"""
import socket
import struct
import sys
import time


def name_wire(text):
    out = b""
    for label in text.rstrip(".").split("."):
        out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def notify(qid, zone, serial):
    header = struct.pack("!HHHHHH", qid, (4 << 11) | 0x0400, 1, 1, 0, 0)  # opcode NOTIFY, AA
    question = name_wire(zone) + struct.pack("!HH", 6, 1)
    rdata = name_wire("ns1." + zone) + name_wire("hostmaster." + zone) + struct.pack("!IIIII", serial, 5, 3, 3600, 30)
    answer = b"\xc0\x0c" + struct.pack("!HHIH", 6, 1, 30, len(rdata)) + rdata
    return header + question + answer


def main():
    port, zone, serial, rate, seconds = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.setblocking(False)
    sent, start = 0, time.monotonic()
    while time.monotonic() - start < seconds:
        due = int((time.monotonic() - start) * rate)
        while sent < due:
            sock.sendto(notify(sent & 0xFFFF, zone, serial), ("127.0.0.1", port))
            sent += 1
        try:
            while True:
                sock.recv(4096)
        except BlockingIOError:
            pass
        time.sleep(0.0005)
    print(sent)


if __name__ == "__main__":
    main()
