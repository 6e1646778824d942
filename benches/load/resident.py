#!/usr/bin/env python3
"""Breaks the idle RSS of the bot's executable down (LOAD_SMAPS=DIR, see compare.rs):
which ELF sections its resident pages belong to, and for code, which crates.

    python3 benches/load/resident.py BINARY DIR/stackpick-1.pages

BINARY is the `stackpick` the run used (the bench build's, e.g.
target/release/stackpick). A resident page of code is shared among the functions it
holds in proportion to their bytes; pages the kernel mapped around a fault
(fault-around, 64 KB) count too, so a crate's figure is where its code sits, not only
what ran.
"""

import bisect
import os
import collections
import re
import subprocess
import sys

PAGE = os.sysconf("SC_PAGE_SIZE")


def run(*args):
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def main(binary, pages):
    segments, sections = [], []
    for line in run("readelf", "-lW", binary).splitlines():
        p = line.split()
        if p and p[0] == "LOAD":
            segments.append((int(p[1], 16), int(p[2], 16), int(p[4], 16)))
    for line in run("readelf", "-SW", binary).splitlines():
        p = line.replace("[ ", "[").split()
        if len(p) > 6 and p[0].startswith("["):
            try:
                sections.append((p[1], int(p[4], 16), int(p[5], 16)))
            except ValueError:
                pass
    symbols = []
    for line in run("nm", "-C", "-S", "--defined-only", binary).splitlines():
        p = line.split(" ", 3)
        if len(p) == 4:
            try:
                symbols.append((int(p[0], 16), int(p[1], 16), p[3]))
            except ValueError:
                pass
    symbols.sort()
    starts = [s[0] for s in symbols]

    def vaddr(offset):
        for o, v, size in segments:
            if o <= offset < o + size:
                return v + offset - o
        return None

    def crate(name):
        name = re.sub(r"^[<_&*( ]+", "", name)
        m = re.match(r"(?:dyn |impl )?([A-Za-z_][A-Za-z0-9_]*)(::|$)", name)
        return m.group(1) if m else "?"

    by_section, by_crate = collections.Counter(), collections.Counter()
    for line in open(pages):
        perms, offset = line.split()
        offset = int(offset, 16)
        section = next((n for n, o, s in sections if o <= offset < o + s), "?")
        by_section[section] += PAGE / 1024
        v = vaddr(offset)
        if section != ".text" or v is None:
            continue
        shares = collections.Counter()
        i = bisect.bisect_right(starts, v + PAGE - 1) - 1
        while i >= 0 and starts[i] + 65536 > v:
            start, size, name = symbols[i]
            lo, hi = max(start, v), min(start + size, v + PAGE)
            if hi > lo:
                shares[crate(name)] += hi - lo
            i -= 1
        total = sum(shares.values())
        for c, b in shares.items():
            by_crate[c] += PAGE / 1024 * b / total
        if not total:
            by_crate["(no symbol)"] += PAGE / 1024
    print("resident pages of the executable, KiB by section:")
    for name, kib in by_section.most_common():
        print(f"  {kib:8.0f}  {name}")
    print("resident code, KiB by crate (top 30):")
    for name, kib in by_crate.most_common(30):
        print(f"  {kib:8.0f}  {name}")


if __name__ == "__main__":
    main(*sys.argv[1:3])
