#!/usr/bin/env python3
"""Writes a realistic zone of N names to stdout, the same for the same N.

usage: gen_zone.py N [ORIGIN]   (ORIGIN defaults to bench.example.)

Per name: A (90%), AAAA (45%), MX (8%), TXT (15%); 8% are CNAMEs instead;
5% are delegations with two NS, in-bailiwick glue A and AAAA, and DS on a
third of them; one wildcard per 10,000 names. Relative owners, as people
write zones; a few explicit TTLs.
"""
import random
import sys


def main() -> None:
    n = int(sys.argv[1])
    origin = sys.argv[2] if len(sys.argv) > 2 else "bench.example."
    rnd = random.Random(20240615)
    out = sys.stdout
    w = out.write
    w(f"$ORIGIN {origin}\n$TTL 3600\n")
    w("@ IN SOA ns1 hostmaster ( 2024061501 7200 3600 1209600 300 )\n")
    w("@ NS ns1\n@ NS ns2\n@ MX 10 mail\nns1 A 192.0.2.1\nns2 A 192.0.2.2\n")
    w("mail A 192.0.2.25\n")
    words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"]
    for i in range(n):
        r = rnd.random()
        if i % 10000 == 5000:
            w(f"*.wild{i} A 198.51.100.{i % 250 + 1}\n")
            continue
        if r < 0.05:
            name = f"zone{i}"
            w(f"{name} NS ns1.{name}\n{name} NS ns2.{name}\n")
            for k in (1, 2):
                w(f"ns{k}.{name} A 10.{i >> 16 & 255}.{i >> 8 & 255}.{k}\n")
                w(f"ns{k}.{name} AAAA 2001:db8:{i >> 16:x}:{i & 0xffff:x}::{k}\n")
            if rnd.random() < 0.33:
                digest = "%064X" % rnd.getrandbits(256)
                w(f"{name} 86400 DS {rnd.randrange(65536)} 13 2 {digest}\n")
            continue
        name = f"{words[i % len(words)]}-{i}"
        if r < 0.13:
            w(f"{name} CNAME {words[(i + 3) % len(words)]}-{max(i - 7, 0)}\n")
            continue
        if rnd.random() < 0.90:
            w(f"{name} A 10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}\n")
        if rnd.random() < 0.45:
            w(f"{name} 300 AAAA 2001:db8:{i >> 16:x}:{i & 0xffff:x}::1\n")
        if rnd.random() < 0.08:
            w(f"{name} MX 10 mail\n")
        if rnd.random() < 0.15:
            w(f'{name} TXT "v=spf1 ip4:10.{i & 255}.0.0/16 -all" "id={rnd.getrandbits(48):x}"\n')


if __name__ == "__main__":
    main()
