"""Reply masking, shingles and MinHash LSH near-duplicate clustering (``_similarity``)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from empathic_reply._similarity import (
    Clustering,
    NearDuplicateIndex,
    ReplySketch,
    cluster_texts,
    jaccard,
    mask_reply,
    shingles,
    signoff,
    tokens,
)

CANNED = "We're sorry for any inconvenience. Please DM us your account number and we'll help."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("@sam_12 Sorry about that!", "_handle_ sorry about that!"),
        ("See https://example.com/a?b=1 now", "see _url_ now"),
        ("Order 12345 ships 3/4", "order _num_ ships _num_"),
        ("Write to jo.b@example.org today", "write to _email_ today"),
        ("Hi Sam, we're on it", "hi _name_, we're on it"),
        ("Thanks for waiting ^JS", "thanks for waiting"),
        ("Thanks for waiting -AB", "thanks for waiting"),
        ("Thanks for waiting - AB", "thanks for waiting"),
        ("Thanks for waiting ~Kyle", "thanks for waiting"),
        ("Thanks for waiting *JM", "thanks for waiting"),
    ],
)
def test_mask_reply(text, expected):
    assert " ".join(mask_reply(text).split()) == expected


def test_mask_keeps_lowercase_dash_words_and_hi_there():
    assert mask_reply("Call us - anytime") == "call us - anytime"
    assert "there" in mask_reply("Hi There, how can we help?")


def test_mask_customer_name_anywhere():
    assert tokens("Sorry Priya, that's on us, Priya.", names=["Priya"]) == [
        "sorry",
        "_name_",
        "that's",
        "on",
        "us",
        "_name_",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Done! ^JS", "^JS"),
        ("Done! -AB", "^AB"),
        ("Done! ~ EM", "^EM"),
        ("Done!", None),
        ("Call us - now", None),
    ],
)
def test_signoff(text, expected):
    assert signoff(text) == expected


def test_shingles():
    assert shingles(["a", "b", "c", "d"]) == {"a b c", "b c d"}
    assert shingles(["thanks"]) == {"thanks"}
    assert shingles([]) == set()


def test_jaccard_masks_what_varies():
    a = "@sam12 " + CANNED + " ^JS"
    b = "@kim_88 " + CANNED.replace("account number", "account number 4471") + " -AB"
    assert jaccard(a, b) >= 0.5
    assert jaccard(a, a) == 1.0
    assert jaccard(a, "Your parcel is at the Leeds depot until Friday, Sam.") < 0.2
    assert jaccard("", "") == 0.0


def test_cluster_texts_groups_near_copies_and_leaves_singletons():
    replies = [
        "@a1 " + CANNED + " ^JS",
        "@b2 " + CANNED + " -AB",
        "@c3 Hi Tom, " + CANNED + " ^MK",
        "Your parcel is at the Leeds depot until Friday, I've asked them to hold it.",
        "Refunded the £20 just now, it'll show in 3 days. Sorry again!",
        "Refunded the £35 just now, it'll show in 5 days. Sorry again!",
    ]
    ids, clustering = cluster_texts(replies)
    assert ids[0] == ids[1] == ids[2] == 0
    assert ids[3] is None
    assert ids[4] == ids[5] == 1
    assert clustering.sizes == [3, 2]
    assert clustering.variants == [2, 1]  # the greeting name adds "hi _name_" shingles
    assert 0.5 <= clustering.similarity[0] < 1.0
    assert clustering.similarity[1] == 1.0


def test_groups_keep_brands_apart():
    ids, clustering = cluster_texts([CANNED, CANNED, CANNED], groups=["A", "B", "A"])
    assert ids == [0, None, 0]
    assert clustering.sizes == [2]


def test_repeats_count_other_customers_only():
    sketch = ReplySketch()
    keys = [
        sketch.add("@x " + CANNED, customer="x"),
        sketch.add("@x " + CANNED, customer="x"),
        sketch.add("@y " + CANNED, customer="y"),
        sketch.add("Something written just for you, Zed.", customer="z"),
    ]
    index = NearDuplicateIndex()
    index.merge(sketch)
    c = index.build()
    assert c.repeats(keys[0], "x") == (1, 1, 0)  # one copy, to one other customer (y)
    assert c.repeats(keys[2], "y") == (2, 1, 0)  # two copies, both to x
    assert c.repeats(keys[3], "z") == (0, 0, None)


def test_partitioned_sketches_merge_to_the_same_clustering():
    replies = [
        f"@u{i} " + CANNED if i % 3 else f"Specific reply number {i} about {i * 7} things"
        for i in range(30)
    ]
    whole = ReplySketch()
    for r in replies:
        whole.add(r)
    index = NearDuplicateIndex()
    index.merge(whole)
    one = index.build()
    index = NearDuplicateIndex()
    for start in (0, 10, 20):
        part = ReplySketch()
        for r in replies[start : start + 10]:
            part.add(r)
        index.merge(part)
    assert index.build() == one


def test_signature_is_datasketch_minhash():
    from datasketch import MinHash

    from empathic_reply._similarity import _signature

    grams = shingles(tokens(CANNED))
    mh = MinHash(num_perm=128, seed=1)
    for g in grams:
        mh.update(g.encode("utf-8"))
    assert (mh.hashvalues == _signature(grams, 128)).all()


def test_large_buckets_stay_linear_and_clustered():
    # 300 variants of one template with different names and products: one cluster.
    replies = [
        f"Hi there {p}, sorry your {w} is late, we have chased it with the courier today"
        for p in ("friend", "pal", "mate")
        for w in (f"thing{i}" for i in range(100))
    ]
    ids, clustering = cluster_texts(replies)
    assert set(ids) == {0}
    assert clustering.sizes == [300]


@given(st.text(), st.text())
def test_any_text_masks_and_compares(a, b):
    assert isinstance(mask_reply(a), str)
    sim = jaccard(a, b)
    assert 0.0 <= sim <= 1.0
    if tokens(a):
        assert jaccard(a, a) == 1.0


# ------------------------------------------------------------------ bounded state (max_wordings)


def _stream(n: int) -> list[tuple[str, str]]:
    """Every 10th reply is one canned wording; the others are all different."""
    words = ["apple", "river", "stone", "cloud", "maple", "ember", "frost", "glade", "harbor"]
    out = []
    for i in range(n):
        if i % 10 == 0:
            out.append((f"@u{i} " + CANNED, f"u{i % 7}"))
        else:
            a, b, c = words[i % 9], words[(i // 9) % 9], words[(i // 81) % 9]
            out.append((f"Your {a} {b} {c} case {i // 729} is special", f"u{i % 7}"))
    return out


def _clustering(rows: list[tuple[str, str]], max_wordings: int | None) -> Clustering:
    sketch = ReplySketch(max_wordings=max_wordings)
    for reply, who in rows:
        sketch.add(reply, customer=who)
    index = NearDuplicateIndex(max_wordings=max_wordings)
    index.merge(sketch)
    return index.build()


def test_bound_not_reached_gives_identical_clustering():
    rows = _stream(400)
    unbounded = _clustering(rows, None)
    distinct = len({tuple(tokens(r)) for r, _ in rows})
    assert _clustering(rows, distinct) == unbounded
    assert _clustering(rows, 10 * distinct) == unbounded
    sketch = ReplySketch(max_wordings=distinct)
    for reply, who in rows:
        sketch.add(reply, customer=who)
    assert sketch.table.evicted == 0
    assert sum(sketch.counts) == 400


def test_bound_keeps_the_pasted_wording_and_stays_small():
    rows = _stream(3000)
    sketch = ReplySketch(max_wordings=50)
    for reply, who in rows:
        sketch.add(reply, customer=who)
    assert len(sketch.keys) == 50
    assert len(sketch.table.pairs) <= 100
    assert sketch.table.evicted > 2000
    canned_key = sketch.add("@z " + CANNED, customer="z")
    assert canned_key in sketch.table.position  # sent 300 times: a heavy hitter, never evicted
    index = NearDuplicateIndex(max_wordings=50)
    index.merge(sketch)
    c = index.build()
    cluster = c.cluster_of[canned_key]
    assert cluster == 0
    # The count kept is a lower bound: at most rows / max_wordings = 60 rows short.
    assert 301 - 3001 // 50 <= c.sizes[0] <= 301
    # Its 8 customers (u0..u6 and z) got it 43 times or more each: those pairs are kept too.
    assert c.customers[0] == 8
    assert c.repeats(canned_key, "z") == (c.sizes[0] - 1, 7, 0)


def test_tally_evicts_the_oldest_least_counted_key():
    from empathic_reply._similarity import _Tally

    tally: _Tally[str] = _Tally()
    for key in ["a", "b", "c", "a", "c", "d"]:
        tally.add(key)
    assert tally.pop_min() == ("b", 1)
    assert tally.pop_min() == ("d", 1)
    assert tally.pop_min() == ("a", 2)
    tally.add("e", 5)
    assert tally.pop_min() == ("c", 2)
    assert tally.pop_min() == ("e", 5)
    assert len(tally) == 0


def test_bound_must_be_positive():
    with pytest.raises(ValueError, match="max_wordings"):
        ReplySketch(max_wordings=0)


def test_row_repeats_equals_repeats_for_every_row():
    from empathic_reply._similarity import customer_hash

    rows = [(r, f"c{i % 5}") for i, (r, _) in enumerate(_stream(300))]
    sketch = ReplySketch()
    keys = [sketch.add(reply, customer=who) for reply, who in rows]
    index = NearDuplicateIndex()
    index.merge(sketch)
    c = index.build()
    assert any(c.repeats(k, who)[0] for k, (_, who) in zip(keys, rows, strict=True))
    for key, (_, who) in zip(keys, rows, strict=True):
        assert c.row_repeats(key, customer_hash(who)) == c.repeats(key, who)
        assert c.row_repeats(key, None) == c.repeats(key, None)
