"""Turns the codec benchmark's divan output (standard input) into the table PAYLOAD.md asks
for: median ns per item and MB/s of encoded bytes per implementation, operation and protocol,
and each as a ratio of Apache's time for the same operation and protocol, of the medians and
(since these shared machines sometimes slow one benchmark down as a whole) of the fastest
samples."""

import re
import sys

UNITS = {"ns": 1.0, "µs": 1e3, "us": 1e3, "ms": 1e6, "s": 1e9}
RATES = {"KB/s": 1e-3, "MB/s": 1.0, "GB/s": 1e3}
ITEMS = 100


def nanoseconds(cell):
    number, unit = cell.split()
    return float(number) * UNITS[unit]


def parse(lines):
    """(implementation, operation, protocol) -> [median ns, median MB/s, fastest ns]."""
    rows, bench, arg = {}, None, None
    for line in lines:
        # Columns: tree and fastest, slowest, median, mean, samples, iters.
        columns = [c.strip() for c in line.split("│")]
        if len(columns) < 6:
            continue
        median = columns[-4]
        top = re.search(r"─ (\w+)_(encode|decode)$", columns[-6])
        new_arg = re.search(r"─ (Binary|Compact) ", columns[-6])
        if top:
            bench = top.groups()
        elif new_arg and bench:
            arg = (bench[0], bench[1], new_arg.group(1))
            fastest = columns[-6].split()[-2:]
            rows[arg] = [nanoseconds(median), None, nanoseconds(" ".join(fastest))]
        elif arg and median.endswith("B/s"):
            number, unit = median.split()
            rows[arg][1] = float(number) * RATES[unit]
    return rows


def main():
    rows = parse(sys.stdin.read().splitlines())
    print(f"{'':24} {'ns/item':>9} {'MB/s':>8} {'/ Apache':>9} {'fastest':>8}")
    for operation in ("encode", "decode"):
        for protocol in ("Binary", "Compact"):
            apache = rows.get(("apache", operation, protocol))
            for implementation in ("apache", "ours", "fast"):
                row = rows.get((implementation, operation, protocol))
                if row is None:
                    continue
                ratio = f"{row[0] / apache[0]:.2f}x" if apache else "-"
                fastest = f"{row[2] / apache[2]:.2f}x" if apache else "-"
                label = f"{implementation} {operation} {protocol.lower()}"
                print(
                    f"{label:24} {row[0] / ITEMS:9.0f} {row[1] or 0:8.0f} {ratio:>9} {fastest:>8}"
                )


main()
