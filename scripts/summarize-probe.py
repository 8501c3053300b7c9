#!/usr/bin/env python3
# Summarises one ttyprobe JSON run of the workbench for scripts/measure-terminal.sh:
# start-up, first paint, bytes and ms per key kind (median, p95), idle bytes, peak RSS.
import json
import re
import sys


def pct(values, p):
    """Nearest-rank percentile, as ttyprobe computes it."""
    if not values:
        return None
    s = sorted(values)
    k = max(1, -(-p * len(s) // 100))  # ceil(p/100 * n)
    return s[int(k) - 1]


def fmt(v, unit=""):
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:,.1f}{unit}"
    return f"{v:,}{unit}"


def kinds(keys):
    """Names each key by what it does in this script: the characters typed into the filter
    (between `/` and the first Enter after it) are `filter text`, the two Enters differ."""
    out = []
    in_filter = False
    enters = 0
    for k in keys:
        label = k["key"]
        if label == "/":
            in_filter = True
            out.append("/ (open filter)")
        elif in_filter and label.lower() in ("enter", "return"):
            in_filter = False
            out.append("Enter (keep filter)")
        elif in_filter and label.lower() == "esc":
            in_filter = False
            out.append("Esc (clear filter)")
        elif in_filter:
            out.append("filter text char")
        elif label.lower() in ("enter", "return"):
            enters += 1
            out.append("Enter (open detail)")
        else:
            out.append(label)
    return out


def main():
    path, raw_path = sys.argv[1], sys.argv[2]
    rss_path = sys.argv[3] if len(sys.argv) > 3 else None
    data = json.load(open(path))
    raw = open(raw_path, "rb").read()
    st = data["startup"]
    alt = raw.find(b"\x1b[?1049h")
    paint = st["bytes"] - alt if 0 <= alt < st["bytes"] else None
    print(f"size {data['cols']}x{data['rows']}  exit code {data['exit']['code'] if data.get('exit') else '?'}")
    print(f"startup: first byte {fmt(st['first_byte_ms'], ' ms')}, quiet at {fmt(st['quiet_ms'], ' ms')}, "
          f"{fmt(st['bytes'])} B (first paint from ESC[?1049h: {fmt(paint)} B), settled={st['settled']}")
    keys = data["keys"]
    groups = {}
    for name, k in zip(kinds(keys), keys):
        groups.setdefault(name, []).append(k)
    print(f"{'key':22} {'n':>3} {'B med':>8} {'B p95':>8} {'B max':>8} {'ms med':>8} {'ms p95':>8}")
    for name, ks in groups.items():
        b = [k["bytes"] for k in ks]
        ms = [k["last_byte_ms"] for k in ks if k["last_byte_ms"] is not None]
        print(f"{name:22} {len(ks):>3} {fmt(pct(b, 50)):>8} {fmt(pct(b, 95)):>8} {fmt(max(b)):>8} "
              f"{fmt(pct(ms, 50)):>8} {fmt(pct(ms, 95)):>8}")
    for s in data["sleeps"]:
        print(f"idle {s['token']}: {fmt(s['bytes'])} B over {fmt(s['ms'], ' ms')}")
    t = data["totals"]
    print(f"totals: all {fmt(t['bytes_all'])} B, keys {fmt(t['bytes_keys'])} B, "
          f"median/p95 per key {fmt(t.get('median_key_bytes'))}/{fmt(t.get('p95_key_bytes'))} B, "
          f"{fmt(t.get('median_key_ms'), ' ms')}/{fmt(t.get('p95_key_ms'), ' ms')}, "
          f"silent {t.get('keys_silent')}, unsettled {t.get('keys_unsettled')}")
    term = data.get("terminal", {})
    print(f"queries answered: {[q['query'] for q in term.get('queries_answered', [])]}")
    if rss_path:
        text = open(rss_path).read()
        m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
        w = re.search(r"Elapsed \(wall clock\) time.*: (\S+)", text)
        print(f"workbench peak RSS: {int(m.group(1)) / 1024:.1f} MiB" if m else "peak RSS: ?",
              f"(wall {w.group(1)})" if w else "")


if __name__ == "__main__":
    main()
