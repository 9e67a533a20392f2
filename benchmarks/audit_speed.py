"""Speed and memory of ``audit`` on synthetic (message, reply) pairs, in-process.

The pairs are fictional, generated from the hand-written phrase bank below (see
:func:`synthetic`): about 40% are canned replies pasted with different handles, greetings,
sign-offs and light edits, the rest are specific replies assembled from sentence pools with
names, products, cities, days, amounts and order numbers, so most are one of a kind.

Run from the repository root::

    python benchmarks/audit_speed.py --pairs 100000 --workers 2 --no-memory
    python benchmarks/audit_speed.py --pairs 100000 --workers 1 --no-memory
    python benchmarks/audit_speed.py --memory-only --memory-sizes 10000,50000,100000 \
        --max-wordings 5000

Prints pairs/second, total seconds, CPU ms per pair and peak RSS for the in-process run
(target: 100,000 pairs < 2 minutes on a 2-core machine), then the tracemalloc peak of a
streaming run (``output=file.jsonl``) at each size, each in a fresh process, with the real
engine and ``max_wordings`` (default 5,000, well below the pair counts).
"""

from __future__ import annotations

import argparse
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
    "Tara",
    "Dev",
    "Hana",
    "Luca",
    "Ada",
    "Femi",
    "Gus",
    "Rosa",
    "Theo",
    "Yara",
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
    "Dundee",
    "Swansea",
    "Oxford",
    "Preston",
]
PRODUCTS = [
    "phone",
    "router",
    "SIM",
    "tablet",
    "parcel",
    "package",
    "watch",
    "laptop",
    "headphones",
    "charger",
    "smart speaker",
    "e-reader",
    "camera",
    "printer",
    "kettle",
    "mattress",
]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "the weekend"]
AGENTS = ["^JS", "-AB", "^MK", "^RT", "^KL", "^PD", "~EM", "-TW", "^SO", "^HB", "-CW", "^NF"]
BRANDS = ["Northwind Mobile", "Parcelly", "Brightline Energy", "Kettle & Co", "Fibrely"]

# Messages: a situation sentence plus optional extras, with substitutions.
MSG_SITUATIONS = [
    "my {product} still hasn't arrived and it's been {n} days",
    "no signal in {city} since this morning, I work from home",
    "I was charged twice for {day}'s order, {money} each time",
    "the {product} I got is broken out of the box",
    "how do I change the delivery address for order {order}?",
    "can you tell me when the {product} will be back in stock?",
    "I want to cancel my subscription, the app won't let me",
    "refund for order {order} still not through after {n} days",
    "your driver left my {product} in the rain outside the door",
    "can't log in to my account, password reset email never comes",
    "just wanted to say the team in {city} were brilliant, thank you",
    "why has my bill gone up by {money} this month?",
    "tracking says delivered but nothing here in {city}",
    "is there a way to pause my plan while I'm away until {day}?",
    "wifi keeps dropping every {n} minutes since the update",
    "the {product} arrived a day early, great service",
    "I've been on hold for {n} minutes, this is ridiculous",
    "ordered a {product} and got a {product2} instead",
    "please can someone call me back about my complaint",
    "do you deliver to {city} on {day}?",
]
MSG_EXTRAS = [
    "",
    "",
    "",
    "Please help.",
    "This is the second time.",
    "Really not happy.",
    "Any update?",
    "I've tried everything.",
    "Thanks in advance.",
    "My contract ends soon.",
    "Need this sorted today.",
    "Ridiculous.",
    "It was a gift.",
    "I have a baby at home.",
    "Third email this week.",
    "Cheers.",
    "Not impressed.",
    "Would appreciate a quick reply.",
]

# Canned replies: what a team pastes; a few have light edits (near-copies).
CANNED = [
    "We're sorry for any inconvenience caused. Please DM us your account details and we'll "
    "look into this for you.",
    "Thanks for reaching out! Please send us a DM with your order number so we can help.",
    "We apologise for the delay. Our team is working hard to get orders out as soon as possible.",
    "Sorry to hear that. Could you please DM us your postcode so we can check the network in "
    "your area?",
    "Thanks for your patience. Your feedback has been passed on to the relevant team.",
    "We're sorry to hear this. Please contact our support team via the help centre and they "
    "will be happy to assist.",
    "Thank you for your kind words! We'll be sure to pass them on to the team.",
    "We understand your frustration. Please follow us and send a DM so we can look into this.",
    "Hi, sorry for the trouble. Have you tried restarting the device? Let us know if that "
    "doesn't help.",
    "We're sorry your order hasn't arrived yet. Please allow up to 10 working days for "
    "delivery before contacting us.",
    "Apologies for the wait. We're experiencing a high volume of messages and will get back "
    "to you shortly.",
    "Thanks for letting us know. Please DM us the email address on your account and we'll "
    "take a look.",
]
CANNED_TAILS = [
    "",
    "",
    "",
    "",
    "Thanks for your patience.",
    "Have a great day!",
    "Speak soon.",
    "We're here to help.",
]

# Specific replies: sentences picked from pools and filled in, so most are one of a kind.
# "{a|b|c}" picks one option per reply, so two replies from one sentence rarely share all words.
OPENERS = [
    "{Oh no|Ugh|Oh dear}, {name}, a {product} that {won't turn on|is dead on arrival|keeps "
    "switching off} is the last thing you need.",
    "Two charges of {money} for {one order|a single order|the same order} {is definitely "
    "wrong|shouldn't happen|is our error}, {name}.",
    "{n} days {with no|without your|waiting on the} {product} is {far too long|not good "
    "enough|way past what we promised}, {name}{, and I'm sorry|, sorry|}.",
    "That's {great|lovely|brilliant} to hear, {name}, I'll {tell|pass this on to|thank} the "
    "{city} team {today|this afternoon|on {day}}.",
    "No signal {when you work from home|on a working day|all morning} is a {real|big|serious} "
    "problem, {name}.",
    "A {product2} instead of a {product} {is our mistake|is a picking error on our side|"
    "shouldn't have happened}, {name}.",
    "I've {looked at|checked|gone through} order {order} and the refund {was sent|went out|"
    "left us} on {day}.",
    "Good question, {name}: {yes, |}we {do deliver|deliver|can deliver} to {city} on {day}.",
    "{Sorry about|Apologies for} the hold time, {name}, {n} minutes {is not okay|is far too "
    "long|isn't acceptable}.",
    "Thanks for {flagging|spotting|asking about} the bill, {name}, the {money} {rise|increase|"
    "jump} is {the new tariff|the annual price change|your discount ending}.",
    "{Leaving|Dropping} a {product} {in the rain|on the doorstep in the rain|outside in a "
    "downpour} isn't how we want {drivers|our couriers} to work.",
    "I can see the password emails {bounced|never left our system|went to an old address}, "
    "{name}, which {explains it|is why they never came}.",
    "{Hi|Hey|Morning} {name}, {I'm|this is} {agent_name} from the {city} {team|store|depot}.",
    "I'm {really|so|truly} sorry the {product} {let you down|stopped working|arrived damaged}, "
    "{name}.",
]
MIDDLES = [
    "I've refunded the second payment{ of {money}|} and you'll see it in {n} working days.",
    "The courier scanned it at the {city} depot on {day}, so I've {raised a trace|opened an "
    "investigation|asked them to find it}.",
    "There's a {mast|cable|power} fault near {city}; engineers {expect to fix it|should have it "
    "back} by {day}.",
    "I've {sent|posted|dispatched} a replacement {product} {today|this morning|by express}, "
    "{no need to return|you can keep|don't send back} the old one.",
    "I've changed the address on order {order} {for you|to the new one|as you asked}.",
    "Your plan is paused from {today|tomorrow|{day}} until {day2}, and you won't be billed.",
    "The {product} is due back in stock on {day}; I've {added you to the alert list|set a "
    "reminder to message you|reserved one for you}.",
    "I've booked a call back for {day} {morning|afternoon|evening} with {someone from billing|"
    "a senior adviser|our {city} manager}.",
    "I've reset the line from our side; the drops every {n} minutes {should stop|ought to be "
    "gone|won't come back}.",
    "I've added a {money} credit to your account {for the trouble|as an apology|to make up for "
    "it}.",
    "I've cancelled the subscription and {emailed you the confirmation|sent you a receipt|you'll "
    "get a final bill of {money}}.",
    "I've passed this to the driver's manager in {city}{ and asked for a call|| with your photos}.",
    "Your account email had a typo, so I've {corrected it|fixed it} and sent a new reset link.",
    "The {product2} can go back with the free label I've just {emailed|texted|sent} you.",
    "{Your|The} {product} {was|got} {stuck|held|delayed} at customs in {city} for {n} days.",
    "I've {upgraded|switched} you to {express|next-day|priority} delivery at no cost.",
    "{Our|The} warehouse in {city} {ran out|had a stock problem} on {day}, which held up your "
    "order.",
]
CLOSERS = [
    "",
    "",
    "Let me know if it hasn't arrived by {day}.",
    "{Shout|Message us} if anything else comes up.",
    "I'll check back in on {day}.",
    "Thanks for bearing with us, {name}.",
    "Any problems, reply here and I'll pick it up{ myself|}.",
    "Enjoy the {product}!",
    "Sorry again for the {hassle|trouble|wait}.",
    "Fingers crossed it's all sorted now.",
    "I've noted all this on your account{ so you won't have to repeat it|}.",
]
_CHOICE = re.compile(r"\{([^{}]*\|[^{}]*)\}")


def _vary(text: str, rng: random.Random) -> str:
    """Pick one option of every "{a|b}" group (innermost first)."""
    while True:
        changed = _CHOICE.sub(lambda m: rng.choice(m.group(1).split("|")), text)
        if changed == text:
            return text
        text = changed


_SLOT = re.compile(r"\{(\w+)\}")


def _fill(text: str, values: dict[str, str]) -> str:
    return _SLOT.sub(lambda m: values[m.group(1)], text)


def synthetic(n: int, *, seed: int = 7, canned_share: float = 0.4) -> Iterator[dict[str, object]]:
    """``n`` varied fictional pairs from the phrase bank above (deterministic).

    About ``canned_share`` of the replies are pasted from :data:`CANNED` (with the customer's
    handle, sometimes a greeting with their name, an agent sign-off, and in a third of them a
    light edit: an extra closing sentence or a dropped one), the rest are specific replies
    built from 2-4 sentences of :data:`OPENERS`, :data:`MIDDLES` and :data:`CLOSERS` filled
    with names, products, cities, days, amounts and order numbers, so most are one of a kind
    and some share parts (partial templating), as in a real export.
    """
    rng = random.Random(seed)
    for i in range(n):
        name = rng.choice(NAMES)
        handle = f"@{name.lower()}{rng.randrange(1_000_000)}"
        product, product2 = rng.sample(PRODUCTS, 2)
        values = {
            "name": name,
            "product": product,
            "product2": product2,
            "city": rng.choice(CITIES),
            "day": rng.choice(DAYS),
            "day2": rng.choice(DAYS),
            "agent_name": rng.choice(NAMES),
            "n": str(rng.randrange(2, 60)),
            "money": f"£{rng.randrange(5, 120)}.{rng.randrange(100):02d}",
            "order": str(rng.randrange(100_000, 999_999)),
        }
        brand = rng.choice(BRANDS)
        message = _fill(rng.choice(MSG_SITUATIONS), values)
        extra = rng.choice(MSG_EXTRAS)
        message = f"@{brand.replace(' ', '')} {message}" + (f". {extra}" if extra else "")
        if rng.random() < canned_share:
            sentences = re.split(r"(?<=[.!?])\s+", rng.choice(CANNED))
            edit = rng.random()
            if edit < 0.15 and len(sentences) > 1:
                sentences.pop(rng.randrange(len(sentences)))
            elif edit < 0.33 and (tail := rng.choice(CANNED_TAILS)):
                sentences.append(tail)
            body = " ".join(sentences)
            greeting = rng.choice(["", "", "", f"Hi {name}, ", f"Hey {name}! ", "Hello there, "])
            body = greeting + (body[0].lower() + body[1:] if greeting.endswith(", ") else body)
        else:
            parts = [rng.choice(OPENERS), *rng.sample(MIDDLES, rng.choice((1, 1, 2)))]
            parts.append(rng.choice(CLOSERS))
            if rng.random() < 0.3:
                parts[1:-1] = parts[-2:0:-1]  # reorder the middle sentences
            body = " ".join(_vary(_fill(p, values), rng) for p in parts if p)
        agent = rng.choice(AGENTS)
        yield {
            "id": i,
            "message": message,
            "reply": f"{handle} {body} {agent}",
            "brand": brand,
            "customer": handle,
            "channel": rng.choice(("public", "public", "private")),
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


def memory_child(pairs: int, max_wordings: int) -> None:
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
            max_wordings=max_wordings,
        )
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    print(f"{peak / 1e6:.1f}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pairs", type=int, default=100_000)
    parser.add_argument("--no-memory", action="store_true")
    parser.add_argument("--memory-only", action="store_true")
    parser.add_argument("--memory-sizes", default="10000,50000,100000")
    parser.add_argument("--max-wordings", type=int, default=5_000)
    parser.add_argument("--workers", type=int, default=2, help="processes (default: 2 cores)")
    parser.add_argument("--memory-child", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_child:
        memory_child(args.memory_child, args.max_wordings)
        return 0
    if not args.memory_only:
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
    if args.memory_only or not args.no_memory:
        for n in (int(x) for x in args.memory_sizes.split(",")):
            out = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--memory-child",
                    str(n),
                    "--max-wordings",
                    str(args.max_wordings),
                ],
                check=True,
                capture_output=True,
                text=True,
            ).stdout.strip()
            print(
                f"streaming to JSONL, max_wordings={args.max_wordings:,}, "
                f"tracemalloc peak at {n:,} pairs: {out} MB",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
