#!/usr/bin/env python3
"""Where a Wasm module's bytes go: function bodies summed by crate (or by name prefix).

Reads a module that still has its `name` section (the wasm-bindgen/rustc output before wasm-opt
strips it, e.g. target/wasm32-unknown-unknown/release/kehu-app.wasm) and prints, per group, the
number of functions, their raw body bytes and the gzip -9 size of the group's bodies concatenated
(a rough share of the gzipped bundle), largest first; then the largest single functions.

    python3 scripts/wasm-size-profile.py target/wasm32-unknown-unknown/release/kehu-app.wasm
    python3 scripts/wasm-size-profile.py FILE --by fn --top 60      # largest functions
    python3 scripts/wasm-size-profile.py FILE --grep leptos          # only names containing it
    python3 scripts/wasm-size-profile.py FILE --by generic          # group by outer path, generics cut
"""
import argparse
import gzip
import re
import sys
from collections import defaultdict


def leb(buf, pos):
    result = shift = 0
    while True:
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        shift += 7
        if b < 0x80:
            return result, pos


def sections(buf):
    if buf[:4] != b"\0asm":
        sys.exit("not a wasm module")
    pos = 8
    while pos < len(buf):
        sid = buf[pos]
        size, pos = leb(buf, pos + 1)
        yield sid, buf[pos:pos + size]
        pos += size


def imported_functions(payload):
    count, pos = leb(payload, 0)
    funcs = 0
    for _ in range(count):
        for _ in range(2):  # module, field
            n, pos = leb(payload, pos)
            pos += n
        kind = payload[pos]
        pos += 1
        if kind == 0:
            _, pos = leb(payload, pos)
            funcs += 1
        elif kind == 1:  # table: reftype, limits
            pos += 1
            flags, pos = leb(payload, pos)
            _, pos = leb(payload, pos)
            if flags & 1:
                _, pos = leb(payload, pos)
        elif kind == 2:  # memory: limits
            flags, pos = leb(payload, pos)
            _, pos = leb(payload, pos)
            if flags & 1:
                _, pos = leb(payload, pos)
        elif kind == 3:  # global: valtype, mut
            pos += 2
        elif kind == 4:  # tag
            pos += 1
            _, pos = leb(payload, pos)
    return funcs


def bodies(payload):
    count, pos = leb(payload, 0)
    out = []
    for _ in range(count):
        size, pos = leb(payload, pos)
        out.append(payload[pos:pos + size])
        pos += size
    return out


def names(payload):
    pos = 0
    found = {}
    while pos < len(payload):
        sub = payload[pos]
        size, pos = leb(payload, pos + 1)
        end = pos + size
        if sub == 1:
            count, p = leb(payload, pos)
            for _ in range(count):
                idx, p = leb(payload, p)
                n, p = leb(payload, p)
                found[idx] = payload[p:p + n].decode("utf-8", "replace")
                p += n
        pos = end
    return found


LEGACY = re.compile(r"^_ZN(.*)E$")


def demangle(name):
    """Rust legacy mangling (`_ZN3std2io5Write..17h<hash>E`) to `std::io::Write..`."""
    m = LEGACY.match(name)
    if not m:
        return name
    rest, parts = m.group(1), []
    while rest and rest[0].isdigit():
        digits = re.match(r"\d+", rest).group(0)
        n = int(digits)
        part = rest[len(digits):len(digits) + n]
        rest = rest[len(digits) + n:]
        parts.append(part)
    if parts and re.fullmatch(r"h[0-9a-f]{16}", parts[-1]):
        parts.pop()
    text = "::".join(parts)
    for a, b in (("$LT$", "<"), ("$GT$", ">"), ("$u20$", " "), ("$RF$", "&"), ("$BP$", "*"),
                 ("$C$", ","), ("$u7b$", "{"), ("$u7d$", "}"), ("$u5b$", "["), ("$u5d$", "]"),
                 ("$u27$", "'"), ("$u3b$", ";"), ("$u2b$", "+"), ("$u22$", '"'), ("..", "::")):
        text = text.replace(a, b)
    return text


def crate_of(name):
    n = name.lstrip("<&*( ")
    for prefix in ("_<", "<"):
        while n.startswith(prefix):
            n = n[len(prefix):]
    if n.startswith("impl "):
        n = n[5:]
    m = re.match(r"[A-Za-z_][A-Za-z0-9_]*", n)
    return m.group(0) if m else name[:20]


def strip_generics(name):
    out, depth = [], 0
    for ch in name:
        if ch == "<":
            depth += 1
            if depth == 1:
                out.append("<..>")
        elif ch == ">":
            depth -= 1
        elif depth == 0:
            out.append(ch)
    return "".join(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("wasm")
    ap.add_argument("--by", choices=["crate", "fn", "generic"], default="crate")
    ap.add_argument("--top", type=int, default=40)
    ap.add_argument("--grep", default="")
    args = ap.parse_args()
    buf = open(args.wasm, "rb").read()
    imports, code, name_map, data = 0, [], {}, 0
    for sid, payload in sections(buf):
        if sid == 2:
            imports = imported_functions(payload)
        elif sid == 10:
            code = bodies(payload)
        elif sid == 11:
            data = len(payload)
        elif sid == 0:
            n, p = leb(payload, 0)
            if payload[p:p + n] == b"name":
                name_map = names(payload[p + n:])
    if not name_map:
        print("warning: no name section; names are function indices", file=sys.stderr)
    groups = defaultdict(list)
    for i, body in enumerate(code):
        name = demangle(name_map.get(imports + i, f"func[{imports + i}]"))
        if args.grep and args.grep not in name:
            continue
        key = {"crate": crate_of, "fn": lambda x: x, "generic": strip_generics}[args.by](name)
        groups[key].append(body)
    total = sum(len(b) for b in code)
    print(f"module {len(buf):,} B; code {total:,} B in {len(code):,} functions; data {data:,} B; "
          f"gzip -9 of all code {len(gzip.compress(b''.join(code), 9)):,} B")
    rows = []
    for key, bs in groups.items():
        raw = sum(len(b) for b in bs)
        rows.append((raw, len(bs), key, bs))
    rows.sort(reverse=True)
    print(f"{'raw':>10} {'gz':>9} {'fns':>6}  group")
    for raw, n, key, bs in rows[:args.top]:
        gz = len(gzip.compress(b"".join(bs), 9))
        print(f"{raw:>10,} {gz:>9,} {n:>6}  {key[:160]}")


if __name__ == "__main__":
    main()
