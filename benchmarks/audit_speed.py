"""Speed and memory of ``audit`` on 100,000 synthetic (message, reply) pairs, in-process.

The pairs are generated from the fictional sample shipped with the notebook
(``notebooks/sample_conversations.csv``) with substitutions: customer handles and names,
numbers, cities, products, extra sentences on messages and openers on replies, agents and
channels, so wordings vary the way a real export does (canned replies pasted with different
handles and sign-offs, specific replies that are all different).

Run from the repository root::

    python benchmarks/audit_speed.py                 # 100k pairs + memory at 10k vs 50k
    python benchmarks/audit_speed.py --pairs 20000 --no-memory

Prints pairs/second, total seconds and peak RSS for the in-process run (target: 100,000
pairs < 2 minutes on a 2-core machine), then the tracemalloc peak of a streaming run
(``output=file.jsonl``) at 10k and 50k pairs, each in a fresh process.
"""

from __future__ import annotations

import argparse
import csv
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
SAMPLE = ROOT / "notebooks" / "sample_conversations.csv"

NAMES = [
    "Sam",
    "Alex",
    "Priya",
    "Tom",
    "Maria",
    "Kofi",
    "Lena",
    "Omar",
    "Jun",
    "Ruth",
    "Ivan",
    "Zara",
    "Leo",
    "Nia",
    "Ben",
    "Eva",
    "Raj",
    "Ines",
    "Cole",
    "Mei",
]
CITIES = [
    "Leeds",
    "Hull",
    "Bristol",
    "Cardiff",
    "Derby",
    "Norwich",
    "York",
    "Bath",
    "Perth",
    "Luton",
    "Wigan",
    "Exeter",
]
PRODUCTS = ["phone", "router", "SIM", "tablet", "parcel", "package", "order", "watch", "laptop"]
MSG_EXTRA = [
    "",
    "",
    "",
    " Please help.",
    " This is the second time.",
    " Really not happy.",
    " Any update?",
    " I've tried everything.",
    " Thanks in advance.",
    " My contract ends soon.",
    " Need this sorted today.",
    " Ridiculous.",
]
REPLY_OPENERS = ["", "", "", "Hi {name}, ", "Hey {name}! ", "Thanks {name}. ", "Hello there, "]
AGENTS = ["^JS", "-AB", "^MK", "^RT", "^KL", "^PD", "~EM", "-TW"]
_NUM = re.compile(r"\d+")
_HANDLE = re.compile(r"@\w+")


def load_sample() -> list[dict[str, str]]:
    with SAMPLE.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def synthetic(n: int, *, seed: int = 7) -> Iterator[dict[str, object]]:
    """``n`` varied pairs made from the sample by substitution (deterministic)."""
    rng = random.Random(seed)
    sample = load_sample()
    for i in range(n):
        src = sample[rng.randrange(len(sample))]
        name = rng.choice(NAMES)
        handle = f"@{name.lower()}{rng.randrange(100_000)}"
        city, product = rng.choice(CITIES), rng.choice(PRODUCTS)

        def sub(
            text: str,
            name: str = name,
            handle: str = handle,
            city: str = city,
            product: str = product,
            src: dict[str, str] = src,
        ) -> str:
            text = text.replace(src["customer_name"], name)
            text = _HANDLE.sub(
                lambda m: handle if m.group(0) == src["customer"] else m.group(0), text
            )
            text = _NUM.sub(lambda _: str(rng.randrange(1, 999)), text)
            for c in CITIES:
                text = text.replace(c, city)
            return text.replace("parcel", product)

        message = sub(src["message"]) + rng.choice(MSG_EXTRA)
        reply = sub(src["reply"])
        agent = rng.choice(AGENTS)
        reply = re.sub(r"\s[\^\-~][A-Z]{2}$", " " + agent, reply)
        opener = rng.choice(REPLY_OPENERS).format(name=name)
        if opener and reply.startswith("@"):
            head, _, rest = reply.partition(" ")
            reply = f"{head} {opener}{rest[0].lower()}{rest[1:]}" if rest else reply
        yield {
            "id": i,
            "message": message,
            "reply": reply,
            "brand": src["brand"],
            "customer": handle,
            "channel": src["channel"],
            "agent": agent,
        }


def run(pairs: int, output: str | None, workers: int) -> tuple[float, object]:
    from empathic_reply.audit import audit
    from empathic_reply.engine import Engine

    engine = Engine()
    engine.analyzer.analyze_many(["warm up"])  # build lazily loaded parts outside the timing
    start = time.perf_counter()
    report = audit(
        synthetic(pairs),
        engine=engine,
        id="id",
        brand="brand",
        customer="customer",
        channel="channel",
        agent="agent",
        output=output,
        progress=False,
        workers=workers,
    )
    return time.perf_counter() - start, report


def memory_child(pairs: int) -> None:
    import tracemalloc

    with tempfile.TemporaryDirectory() as tmp:
        from empathic_reply.engine import Engine

        engine = Engine()
        engine.analyzer.analyze_many(["warm up"])
        from empathic_reply.audit import audit

        tracemalloc.start()
        audit(
            synthetic(pairs),
            engine=engine,
            id="id",
            brand="brand",
            customer="customer",
            channel="channel",
            agent="agent",
            output=Path(tmp) / "rows.jsonl",
            progress=False,
        )
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    print(f"{peak / 1e6:.1f}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pairs", type=int, default=100_000)
    parser.add_argument("--no-memory", action="store_true")
    parser.add_argument("--workers", type=int, default=2, help="processes (default: 2 cores)")
    parser.add_argument("--memory-child", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_child:
        memory_child(args.memory_child)
        return 0
    cpu_start = time.process_time()
    seconds, report = run(args.pairs, None, args.workers)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = time.process_time() - cpu_start + children.ru_utime + children.ru_stime
    summary = report.summary()  # type: ignore[attr-defined]
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"in-process, workers={args.workers}: {args.pairs:,} pairs in {seconds:.1f} s = "
        f"{args.pairs / seconds:,.0f} pairs/s (target: 100,000 in < 120 s); "
        f"peak RSS of the main process {rss:.0f} MB"
    )
    print(
        f"  CPU time {cpu:.1f} s over all processes = {cpu / args.pairs * 1e3:.2f} ms/pair "
        f"(wall time depends on what else the shared machine runs)"
    )
    print(
        f"  canned rate {summary.canned_rate}, clusters {summary.clusters}, "
        f"largest {summary.largest_cluster}, repeated {summary.repeated_rate}"
    )
    if not args.no_memory:
        for n in (10_000, 50_000):
            out = subprocess.run(
                [sys.executable, __file__, "--memory-child", str(n)],
                check=True,
                capture_output=True,
                text=True,
            ).stdout.strip()
            print(f"streaming to JSONL, tracemalloc peak at {n:,} pairs: {out} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
