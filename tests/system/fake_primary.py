#!/usr/bin/env python3
"""A misbehaving primary for system tests: answers SOA over UDP and
AXFR/IXFR over TCP for any zone asked, on 127.0.0.1.

usage: fake_primary.py PORT STATE_FILE

STATE_FILE holds one line "MODE SERIAL" and is read at every query, so a
test switches behaviour by rewriting it:
  good SERIAL     a small zone (SOA, NS, a few A) with SERIAL
  endless SERIAL  an AXFR that never ends: records without the closing SOA
                  until the client hangs up
  big SERIAL      a complete zone of 1,500 records (over a small max-records)
  badixfr SERIAL  the good zone by AXFR, but IXFR answered with one step
                  SERIAL-1 -> SERIAL that deletes an RR the zone never had
                  (nosuch.ZONE A 198.51.100.2), as a rebuilt journal would
Otherwise IXFR is answered with the whole zone (RFC 1995 section 4 allows that).
No TSIG: the fake is configured as an unsigned primary.
"""
import socket
import struct
import sys
import threading

SOA_TIMERS = (3600, 600, 86400, 300)  # refresh, retry, expire, minimum


def read_state(path):
    with open(path) as f:
        mode, serial = f.read().split()
    return mode, int(serial)


def encode_name(text):
    out = b""
    for label in text.rstrip(".").split("."):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def parse_query(msg):
    """(id, qname wire, qtype, qclass, end of question) or None."""
    if len(msg) < 12:
        return None
    qid, _flags, qd = struct.unpack("!HHH", msg[:6])
    if qd != 1:
        return None
    pos = 12
    while True:
        if pos >= len(msg):
            return None
        n = msg[pos]
        if n == 0:
            pos += 1
            break
        if n & 0xC0:
            return None
        pos += 1 + n
    if pos + 4 > len(msg):
        return None
    qtype, qclass = struct.unpack("!HH", msg[pos : pos + 4])
    return qid, msg[12:pos], qtype, qclass, pos + 4


def wire_to_text(wire):
    labels, pos = [], 0
    while wire[pos]:
        labels.append(wire[pos + 1 : pos + 1 + wire[pos]].decode())
        pos += 1 + wire[pos]
    return ".".join(labels) + "."


def rr(owner_wire, rtype, rdata, ttl=300):
    return owner_wire + struct.pack("!HHIH", rtype, 1, ttl, len(rdata)) + rdata


def soa_rr(zone, serial):
    rdata = encode_name("ns1." + zone) + encode_name("hostmaster." + zone) + struct.pack("!IIIII", serial, *SOA_TIMERS)
    return rr(encode_name(zone), 6, rdata)


def a_rr(owner, i):
    return rr(encode_name(owner), 1, bytes([198, 51, 100, i % 250 + 1]))


def zone_body(zone, count):
    yield rr(encode_name(zone), 2, encode_name("ns1." + zone))
    yield a_rr("ns1." + zone, 0)
    for i in range(count):
        yield a_rr(f"host{i}.{zone}", i)


def message(qid, question, records, rcode=0):
    header = struct.pack("!HHHHHH", qid, 0x8400 | rcode, 1, len(records), 0, 0)
    return header + question + b"".join(records)


def serve_udp(port, state):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", port))
    while True:
        data, peer = sock.recvfrom(65535)
        q = parse_query(data)
        if not q:
            continue
        qid, qname, qtype, _qclass, end = q
        _mode, serial = read_state(state)
        zone = wire_to_text(qname)
        answers = [soa_rr(zone, serial)] if qtype == 6 else []
        sock.sendto(message(qid, data[12:end], answers), peer)


def send(conn, msg):
    conn.sendall(struct.pack("!H", len(msg)) + msg)


def recv_exact(conn, n):
    buf = b""
    while len(buf) < n:
        chunk = conn.recv(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return buf


def transfer(conn, qid, question, zone, mode, serial):
    soa = soa_rr(zone, serial)
    if mode == "endless":
        send(conn, message(qid, question, [soa]))
        i = 0
        while True:  # until the client hangs up (BrokenPipe ends the thread)
            send(conn, message(qid, question, [a_rr(f"e{i + k}.{zone}", i + k) for k in range(100)]))
            i += 100
    if mode == "badixfr" and question[-4:-2] == struct.pack("!H", 251):
        old = soa_rr(zone, serial - 1)
        send(conn, message(qid, question, [soa, old, a_rr("nosuch." + zone, 1), soa, soa]))
        return
    count = 1500 if mode == "big" else 20
    records = [soa] + list(zone_body(zone, count)) + [soa]
    for start in range(0, len(records), 100):
        send(conn, message(qid, question, records[start : start + 100]))


def serve_tcp_conn(conn, state):
    with conn:
        try:
            while True:
                head = recv_exact(conn, 2)
                if head is None:
                    return
                data = recv_exact(conn, struct.unpack("!H", head)[0])
                if data is None:
                    return
                q = parse_query(data)
                if not q:
                    return
                qid, qname, qtype, _qclass, end = q
                mode, serial = read_state(state)
                zone = wire_to_text(qname)
                question = data[12:end]
                if qtype in (251, 252):
                    transfer(conn, qid, question, zone, mode, serial)
                else:
                    send(conn, message(qid, question, [soa_rr(zone, serial)] if qtype == 6 else []))
        except (BrokenPipeError, ConnectionResetError):
            return


def main():
    port, state = int(sys.argv[1]), sys.argv[2]
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(16)
    threading.Thread(target=serve_udp, args=(port, state), daemon=True).start()
    while True:
        conn, _ = listener.accept()
        threading.Thread(target=serve_tcp_conn, args=(conn, state), daemon=True).start()


if __name__ == "__main__":
    main()
