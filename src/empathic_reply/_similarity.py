"""Near-duplicate replies: normalisation, MinHash signatures and LSH clustering.

A team's past replies are compared by their *wording*, not by who they were sent to. Before
shingling, each reply is masked: @handles, links, e-mail addresses, numbers, the customer's
name after a greeting ("Hi Sam") and agent sign-offs ("^JS", "-AB", "~Kyle") become fixed
placeholders, so "@sam123 Sorry! DM us your order number. ^JS" and "@kim_88 Sorry! DM us your
order number. -AB" are the same wording. Replies are then cut into 3-word shingles and two
replies are near-copies when the Jaccard similarity of their shingle sets is >= 0.5.

At corpus scale the comparison is sub-quadratic: each distinct masked wording gets a MinHash
signature (``datasketch.MinHash``, 128 permutations, fixed seed, so signatures computed in
different processes agree), signatures are cut into LSH bands (band count and width from
``datasketch.MinHashLSH`` for the threshold), wordings that share a band bucket are candidates,
and candidates are kept when their estimated Jaccard similarity reaches the threshold.
Connected components of kept pairs are the clusters.

Why band with numpy instead of inserting into ``datasketch.MinHashLSH``: its in-memory storage
keeps a Python ``set`` per bucket, several kilobytes per distinct reply (measured: see
``benchmarks/audit_speed.py``), which made memory grow quickly with the corpus. The banding
below uses the same signatures and the same (bands, rows) parameters in a few hundred bytes per
distinct wording, and it merges sketches computed on separate partitions (Dask) exactly.

Memory is bounded and constant in the number of rows: exact copies share one entry, at most
``max_wordings`` distinct wordings (default :data:`DEFAULT_MAX_WORDINGS`) and twice as many
(wording, customer) pairs are tracked, and beyond that the least-counted entries are evicted
(Space-Saving heavy hitters; see :class:`ReplySketch`). Below the bound, results are exact.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

__all__ = [
    "DEFAULT_MAX_WORDINGS",
    "DEFAULT_NUM_PERM",
    "DEFAULT_THRESHOLD",
    "Clustering",
    "NearDuplicateIndex",
    "ReplySketch",
    "cluster_texts",
    "customer_hash",
    "jaccard",
    "mask_reply",
    "shingles",
    "signoff",
    "tokens",
    "wording_key",
]

DEFAULT_THRESHOLD = 0.5
"""Jaccard similarity of 3-word shingle sets at and above which two replies are near-copies."""

DEFAULT_NUM_PERM = 128
"""MinHash permutations: the standard error of an estimated Jaccard of 0.5 is about 0.044."""

_SEED = 1
_SHINGLE = 3
# Verify candidate pairs in chunks to bound the temporary (pairs x permutations) arrays.
_VERIFY_CHUNK = 20_000
# Buckets with more members than this are linked as a chain and a star instead of all pairs,
# which keeps the number of verified pairs linear even when one wording has many variants.
_ALL_PAIRS_MAX = 48

_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_HANDLE = re.compile(r"(?<![\w@])@\w{1,30}")
_NUMBER = re.compile(r"[#$£€]?\d[\d,.:/\-]*")
_GREETING_NAME = re.compile(
    r"\b((?i:hi|hello|hey|hiya|dear|thanks|thank you|sorry|welcome))((?i: there))?,?\s+"
    r"(?!There\b|Team\b|All\b|Again\b|Everyone\b)([A-Z][a-z]{1,20})\b"
)
# An agent sign-off at the very end: "^JS", "-AB", "- AB", "~Kyle", "*JM", "/TW", "—Sam".
_SIGNOFF = re.compile(r"(?:^|\s)([\^~*/\-–—]\s?)([A-Z][A-Za-z]{0,11})\s*\.?\s*$")
_SIGNOFF_MARKS = "^~*/-\u2013\u2014"
_WORD = re.compile(r"[a-z0-9_']+")


def signoff(text: str) -> str | None:
    """Return the agent sign-off at the end of a reply ("^JS", "-AB"), or ``None``.

    The sign-off is returned normalised to ``"^" + initials`` as written, e.g. ``"^JS"`` for
    both "^JS" and "- JS"; it identifies the agent when no agent column exists.
    """
    tail = text.rstrip().rstrip(".").rstrip()[-14:]
    if not any(mark in tail for mark in _SIGNOFF_MARKS):
        return None
    match = _SIGNOFF.search(text)
    if match is None:
        return None
    return "^" + match.group(2)


def mask_reply(text: str, *, names: Sequence[str] = ()) -> str:
    """Mask what varies between copies of one wording, and lower-case the rest.

    Links become ``_url_``, e-mail addresses ``_email_``, @handles ``_handle_``, numbers
    ``_num_``, a capitalised name after a greeting ("Hi Sam") and any of ``names`` become
    ``_name_``; a trailing agent sign-off is removed.

    Args:
        text: The reply.
        names: Extra names to mask wherever they occur (e.g. the customer's name).

    Returns:
        The masked, lower-cased text.
    """
    # Each pattern only runs when its cheap precondition holds (same result, ~2x faster).
    tail = text.rstrip().rstrip(".").rstrip()[-14:]
    if any(mark in tail for mark in _SIGNOFF_MARKS):
        text = _SIGNOFF.sub("", text)
    if "://" in text or "www." in text.lower():
        text = _URL.sub(" _url_ ", text)
    if "@" in text:
        text = _EMAIL.sub(" _email_ ", text)
        text = _HANDLE.sub(" _handle_ ", text)
    text = _GREETING_NAME.sub(lambda m: f"{m.group(1)}{m.group(2) or ''} _name_", text)
    for name in names:
        if name and name.strip():
            text = re.sub(rf"\b{re.escape(name.strip())}\b", " _name_ ", text, flags=re.IGNORECASE)
    text = _NUMBER.sub(" _num_ ", text)
    return text.lower()


def tokens(text: str, *, names: Sequence[str] = ()) -> list[str]:
    """Words of the masked reply (see :func:`mask_reply`), in order."""
    return _WORD.findall(mask_reply(text, names=names))


def shingles(words: Sequence[str], k: int = _SHINGLE) -> set[str]:
    """The set of ``k``-word shingles of ``words``.

    A reply shorter than ``k`` words is one shingle (so "Thanks!" still matches "thanks");
    no words give an empty set.
    """
    if not words:
        return set()
    if len(words) < k:
        return {" ".join(words)}
    return {" ".join(words[i : i + k]) for i in range(len(words) - k + 1)}


def jaccard(a: str, b: str, *, names: Sequence[str] = ()) -> float:
    """Exact Jaccard similarity in [0, 1] of two replies' masked 3-word shingle sets.

    Higher means closer wording; 1.0 is the same wording. Two replies with no words at all
    have similarity 0.0.
    """
    sa, sb = shingles(tokens(a, names=names)), shingles(tokens(b, names=names))
    if not sa or not sb:
        return 0.0
    return len(sa & sb) / len(sa | sb)


def customer_hash(customer: Hashable) -> int:
    """A stable 64-bit hash of a customer id (equal across processes)."""
    raw = str(customer).encode("utf-8", "surrogatepass")
    return int.from_bytes(hashlib.blake2b(raw, digest_size=8).digest(), "little")


def wording_key(group: str, words: Sequence[str]) -> int:
    """A stable 64-bit key of a masked wording within a group (brand); equal across processes."""
    raw = (group + "\x1f" + " ".join(words)).encode("utf-8", "surrogatepass")
    return int.from_bytes(hashlib.blake2b(raw, digest_size=8).digest(), "little")


@lru_cache(maxsize=8)
def _permutations(num_perm: int) -> Any:
    from datasketch import MinHash

    return MinHash(num_perm=num_perm, seed=_SEED).permutations


@lru_cache(maxsize=8)
def _bands(threshold: float, num_perm: int) -> tuple[int, int]:
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    return int(lsh.b), int(lsh.r)


# fmix32, the MurmurHash3 finalizer datasketch's "affine32" scheme applies to each input hash.
_FMIX32 = (16, 0x85EBCA6B, 13, 0xC2B2AE35, 16)


def _signature(shingle_set: set[str], num_perm: int) -> npt.NDArray[np.uint32]:
    """The ``datasketch.MinHash`` (``affine32``, seed 1) signature of a shingle set.

    Computes exactly what ``MinHash.update_batch`` computes (SHA-1 32-bit hashes, the fmix32
    pre-mix, then the affine permutations and a column minimum), in one numpy pass without
    building a ``MinHash`` object; ``tests/test_similarity.py`` pins the equality.
    """
    import numpy as np

    a, b = _permutations(num_perm)
    raw = b"".join(
        hashlib.sha1(s.encode("utf-8", "surrogatepass"), usedforsecurity=False).digest()[:4]
        for s in shingle_set
    )
    hv = np.frombuffer(raw, dtype="<u4").astype(np.uint32)
    s1, m1, s2, m2, s3 = _FMIX32
    hv = hv ^ (hv >> np.uint32(s1))
    hv = hv * np.uint32(m1)
    hv = hv ^ (hv >> np.uint32(s2))
    hv = hv * np.uint32(m2)
    hv = hv ^ (hv >> np.uint32(s3))
    result: npt.NDArray[np.uint32] = (hv[:, None] * a + b).min(axis=0)
    return result


_K = TypeVar("_K", bound=Hashable)


class _Tally(Generic[_K]):
    """Counts per key with O(1) access to the oldest of the least-counted keys.

    Counts only grow, so the minimum is tracked lazily; keys of equal count keep their
    insertion order, which makes eviction deterministic (Space-Saving's "stream summary").
    """

    __slots__ = ("_buckets", "_min", "counts")

    def __init__(self) -> None:
        self.counts: dict[_K, int] = {}
        self._buckets: dict[int, dict[_K, None]] = {}
        self._min = 0

    def __len__(self) -> int:
        return len(self.counts)

    def add(self, key: _K, by: int = 1) -> int:
        """Add ``by`` to ``key`` (inserted at ``by`` when new); returns its new count."""
        old = self.counts.get(key, 0)
        new = old + by
        if old:
            bucket = self._buckets[old]
            del bucket[key]
            if not bucket:
                del self._buckets[old]
        self.counts[key] = new
        self._buckets.setdefault(new, {})[key] = None
        if len(self.counts) == 1 or new < self._min:
            self._min = new
        return new

    def pop_min(self) -> tuple[_K, int]:
        """Remove and return the oldest key with the smallest count."""
        while self._min not in self._buckets:
            self._min += 1
        bucket = self._buckets[self._min]
        key = next(iter(bucket))
        del bucket[key]
        if not bucket:
            del self._buckets[self._min]
        return key, self.counts.pop(key)


DEFAULT_MAX_WORDINGS = 100_000
"""Distinct wordings tracked by default (about 1 KB each, so ~100 MB at the cap)."""


class _WordingTable:
    """Distinct wordings and (wording, customer) pairs, bounded by ``max_wordings``.

    Below the bound every count is exact. At the bound, a new wording replaces the oldest of
    the least-counted ones and inherits its count as a known over-count (Space-Saving,
    Metwally et al. 2005): any wording sent more than ``rows / max_wordings`` times is always
    kept, and its count is at most that many rows too high; the count used is the guaranteed
    lower bound ``count - error``. Pairs are bounded at ``2 * max_wordings``: when full, the
    oldest least-counted pair is dropped and its customer is still counted in the wording's
    ``customers`` (as ``lost``), so only "how many went to *this* customer" is forgotten.
    """

    def __init__(self, num_perm: int, max_wordings: int | None) -> None:
        if max_wordings is not None and max_wordings < 1:
            raise ValueError("max_wordings must be >= 1 or None")
        self.num_perm = num_perm
        self.max_wordings = max_wordings
        self.keys: list[int] = []
        self.groups: list[str] = []
        self.errors: list[int] = []
        self.lost: list[int] = []
        self.signatures: list[npt.NDArray[np.uint32] | None] = []
        self.tally: _Tally[int] = _Tally()  # wording key -> rows (over-count by errors[at])
        self.pairs: _Tally[tuple[int, int]] = _Tally()  # (wording key, customer hash) -> rows
        self.position: dict[int, int] = {}
        self.has_customers = False
        self.evicted = 0
        self.pairs_evicted = 0

    def counts(self) -> list[int]:
        """Guaranteed rows per position (``count - error``; exact below the bound)."""
        tally = self.tally.counts
        return [tally[k] - e for k, e in zip(self.keys, self.errors, strict=True)]

    def bump(self, key: int, by: int = 1) -> bool:
        """Add rows to a known wording; ``False`` when the wording is not tracked."""
        if key not in self.position:
            return False
        self.tally.add(key, by)
        return True

    def insert(
        self,
        key: int,
        group: str,
        signature: npt.NDArray[np.uint32] | None,
        *,
        count: int = 1,
        error: int = 0,
        lost: int = 0,
    ) -> None:
        """Track a new wording, evicting the least-counted one when at the bound."""
        if self.max_wordings is not None and len(self.keys) >= self.max_wordings:
            old, floor = self.tally.pop_min()
            at = self.position.pop(old)
            self.evicted += 1
            self.keys[at], self.groups[at], self.signatures[at] = key, group, signature
            self.errors[at], self.lost[at] = error + floor, lost
            self.position[key] = at
            self.tally.add(key, count + floor)
            return
        self.position[key] = len(self.keys)
        self.keys.append(key)
        self.groups.append(group)
        self.signatures.append(signature)
        self.errors.append(error)
        self.lost.append(lost)
        self.tally.add(key, count)

    def add_pair(self, key: int, customer: int, by: int = 1) -> None:
        """Count rows of a wording sent to one customer (hash)."""
        self.has_customers = True
        pair = (key, customer)
        limit = None if self.max_wordings is None else 2 * self.max_wordings
        if limit is not None and pair not in self.pairs.counts and len(self.pairs) >= limit:
            (old_key, _), _ = self.pairs.pop_min()
            self.pairs_evicted += 1
            at = self.position.get(old_key)
            if at is not None:
                self.lost[at] += 1
        self.pairs.add(pair, by)

    def merge(self, other: _WordingTable) -> None:
        """Add another table (a later partition); exact while neither bound is reached."""
        tally = other.tally.counts
        for at, key in enumerate(other.keys):
            count = tally[key]
            if self.bump(key, count):
                self.errors[self.position[key]] += other.errors[at]
                self.lost[self.position[key]] += other.lost[at]
            else:
                self.insert(
                    key,
                    other.groups[at],
                    other.signatures[at],
                    count=count,
                    error=other.errors[at],
                    lost=other.lost[at],
                )
        for pair, rows in other.pairs.counts.items():
            self.add_pair(*pair, by=rows)
        self.has_customers = self.has_customers or other.has_customers
        self.evicted += other.evicted
        self.pairs_evicted += other.pairs_evicted


class ReplySketch:
    """Distinct wordings of a slice of the corpus, with counts, customers and signatures.

    Built row by row (:meth:`add`), in row order; sketches of consecutive partitions merge
    into a :class:`NearDuplicateIndex` in partition order, giving the same result as one pass
    (exactly, while ``max_wordings`` is not reached).

    Memory is bounded and does not grow with the rows: one entry per distinct masked wording
    (its MinHash signature, count and group), at most ``max_wordings`` of them, and one count
    per distinct (wording, customer) pair, at most ``2 * max_wordings``. Exact copies share
    one entry. When more distinct wordings arrive, the least-counted wording is evicted
    (Space-Saving heavy hitters): wordings pasted many times, what an audit looks for, are
    kept; rare wordings may be forgotten and then count as sent once. See
    ``docs/how-to/scale-out-with-dask.md`` for the trade-off.

    Args:
        num_perm: MinHash permutations.
        max_wordings: Distinct wordings tracked at most (``None`` = no bound).
    """

    def __init__(
        self, *, num_perm: int = DEFAULT_NUM_PERM, max_wordings: int | None = DEFAULT_MAX_WORDINGS
    ) -> None:
        self.num_perm = num_perm
        self.table = _WordingTable(num_perm, max_wordings)
        self.rows = 0

    @property
    def keys(self) -> list[int]:
        """Tracked wording keys (first-seen order while the bound is not reached)."""
        return self.table.keys

    @property
    def counts(self) -> list[int]:
        """Rows per tracked wording (a guaranteed lower bound; exact below the bound)."""
        return self.table.counts()

    def add(
        self,
        reply: str,
        *,
        group: str = "",
        customer: Hashable | None = None,
        names: Sequence[str] = (),
    ) -> int:
        """Add one reply; returns its wording key (see :func:`wording_key`)."""
        words = tokens(reply, names=names)
        key = wording_key(group, words)
        self.rows += 1
        table = self.table
        if not table.bump(key):
            grams = shingles(words)
            table.insert(key, group, _signature(grams, self.num_perm) if grams else None)
        if customer is not None:
            table.add_pair(key, customer_hash(customer))
        return key


@dataclass(frozen=True)
class Clustering:
    """Near-duplicate clusters of a corpus and the repetition of every wording.

    Attributes:
        cluster_of: Wording key -> cluster id (0 = largest cluster) for wordings sent at least
            twice (as exact or near copies); other wordings are absent.
        sizes: Rows per cluster, by cluster id.
        variants: Distinct wordings per cluster, by cluster id.
        top_keys: The most frequent wording key of each cluster (its representative).
        similarity: Mean estimated Jaccard in [0, 1] of a cluster's wordings to its
            representative, weighted by rows (1.0 = all exact copies; lower = more variation).
        customers: Distinct customers per cluster, by cluster id (rows, when no customer ids).
        pair_clusters: Sorted cluster ids of the distinct (cluster, customer) pairs.
        pair_customers: Customer hashes of those pairs (sorted within a cluster).
        pair_counts: Rows of the cluster sent to that customer.
        has_customers: Whether customer ids were given.
    """

    cluster_of: dict[int, int]
    sizes: list[int]
    variants: list[int]
    top_keys: list[int]
    similarity: list[float]
    customers: list[int]
    pair_clusters: npt.NDArray[np.int64]
    pair_customers: npt.NDArray[np.uint64]
    pair_counts: npt.NDArray[np.int64]
    has_customers: bool
    multi: dict[tuple[int, int], int] = field(default_factory=dict, compare=False, repr=False)
    """(cluster, customer hash) -> rows, only for customers who got a cluster more than once."""

    def __eq__(self, other: object) -> bool:
        import numpy as np

        if not isinstance(other, Clustering):
            return NotImplemented
        return (
            (
                self.cluster_of,
                self.sizes,
                self.variants,
                self.top_keys,
                self.similarity,
                self.customers,
                self.has_customers,
            )
            == (
                other.cluster_of,
                other.sizes,
                other.variants,
                other.top_keys,
                other.similarity,
                other.customers,
                other.has_customers,
            )
            and np.array_equal(self.pair_clusters, other.pair_clusters)
            and np.array_equal(self.pair_customers, other.pair_customers)
            and np.array_equal(self.pair_counts, other.pair_counts)
        )

    __hash__ = None  # type: ignore[assignment]

    def _same_customer(self, cluster: int, customer: Hashable) -> int:
        import numpy as np

        lo = int(np.searchsorted(self.pair_clusters, cluster, side="left"))
        hi = int(np.searchsorted(self.pair_clusters, cluster, side="right"))
        target = np.uint64(customer_hash(customer))
        at = lo + int(np.searchsorted(self.pair_customers[lo:hi], target))
        if at < hi and self.pair_customers[at] == target:
            return int(self.pair_counts[at])
        return 0

    def repeats(self, key: int, customer: Hashable | None = None) -> tuple[int, int, int | None]:
        """Repetition of one row's wording across the corpus.

        Returns:
            ``(repeats, other_customers, cluster)``: near or exact copies of this wording
            sent to other customers, how many other customers got them, and the cluster id
            (``None`` when the wording was sent once).
        """
        cluster = self.cluster_of.get(key)
        if cluster is None:
            return 0, 0, None
        size = self.sizes[cluster]
        if not self.has_customers:
            return size - 1, size - 1, cluster
        if customer is None:
            return size - 1, self.customers[cluster], cluster
        mine = self._same_customer(cluster, customer)
        others = self.customers[cluster] - (1 if mine else 0)
        return size - max(mine, 1), others, cluster

    def row_repeats(self, key: int, customer: int | None) -> tuple[int, int, int | None]:
        """:meth:`repeats` of a row *of the corpus*, given its customer's hash (faster).

        The row itself was sent to ``customer``, so that customer got the wording at least
        once; a dict lookup replaces the binary search.
        """
        cluster = self.cluster_of.get(key)
        if cluster is None:
            return 0, 0, None
        size = self.sizes[cluster]
        if not self.has_customers:
            return size - 1, size - 1, cluster
        if customer is None:
            return size - 1, self.customers[cluster], cluster
        mine = self.multi.get((cluster, customer), 1)
        return size - mine, self.customers[cluster] - 1, cluster


class NearDuplicateIndex:
    """Merge :class:`ReplySketch` es and cluster near-duplicate wordings with MinHash LSH.

    Args:
        threshold: Jaccard similarity in [0, 1] at and above which two wordings are near-copies.
        num_perm: MinHash permutations (must match the sketches).
        max_wordings: Distinct wordings kept at most (see :class:`ReplySketch`; ``None`` = no
            bound).
    """

    def __init__(
        self,
        *,
        threshold: float = DEFAULT_THRESHOLD,
        num_perm: int = DEFAULT_NUM_PERM,
        max_wordings: int | None = DEFAULT_MAX_WORDINGS,
    ) -> None:
        self.threshold = threshold
        self.num_perm = num_perm
        self._table = _WordingTable(num_perm, max_wordings)

    @property
    def evicted(self) -> int:
        """Wordings evicted because ``max_wordings`` was reached (0 = every count is exact)."""
        return self._table.evicted

    def merge(self, sketch: ReplySketch) -> None:
        """Add a partition's sketch (call in partition order for deterministic cluster ids)."""
        self._table.merge(sketch.table)

    def _candidate_pairs(
        self,
        sigs: npt.NDArray[np.uint32],
        group_ids: npt.NDArray[np.int64],
    ) -> npt.NDArray[np.int64]:
        import numpy as np

        bands, width = _bands(self.threshold, self.num_perm)
        n = sigs.shape[0]
        found: list[npt.NDArray[np.int64]] = []
        for band in range(bands):
            h = group_ids.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
            for col in range(band * width, (band + 1) * width):
                h = (h ^ sigs[:, col].astype(np.uint64)) * np.uint64(0x100000001B3)
            order = np.argsort(h, kind="stable")
            sorted_h = h[order]
            starts = np.flatnonzero(np.r_[True, sorted_h[1:] != sorted_h[:-1]])
            ends = np.r_[starts[1:], n]
            for s, e in zip(starts.tolist(), ends.tolist(), strict=True):
                size = e - s
                if size < 2:
                    continue
                members = order[s:e]
                if size <= _ALL_PAIRS_MAX:
                    i, j = np.triu_indices(size, k=1)
                    found.append(np.stack([members[i], members[j]], axis=1))
                else:
                    chain = np.stack([members[:-1], members[1:]], axis=1)
                    star = np.stack([np.full(size - 1, members[0]), members[1:]], axis=1)
                    found.append(np.concatenate([chain, star]))
        if not found:
            return np.empty((0, 2), dtype=np.int64)
        pairs = np.sort(np.concatenate(found).astype(np.int64), axis=1)
        return np.unique(pairs, axis=0)

    def build(self) -> Clustering:
        """Cluster the merged wordings; see :class:`Clustering`."""
        import numpy as np

        table = self._table
        self._keys, self._groups, self._signatures = table.keys, table.groups, table.signatures
        self._counts = table.counts()
        n = len(self._keys)
        parent = list(range(n))

        def find(x: int) -> int:
            root = x
            while parent[root] != root:
                root = parent[root]
            while parent[x] != root:
                parent[x], x = root, parent[x]
            return root

        with_words = [i for i, s in enumerate(self._signatures) if s is not None]
        sims_to: dict[tuple[int, int], float] = {}
        if len(with_words) > 1:
            sigs = np.stack([self._signatures[i] for i in with_words])  # type: ignore[misc]
            group_names = {g: k for k, g in enumerate(dict.fromkeys(self._groups))}
            group_ids = np.array([group_names[self._groups[i]] for i in with_words], np.int64)
            pairs = self._candidate_pairs(sigs, group_ids)
            for start in range(0, len(pairs), _VERIFY_CHUNK):
                chunk = pairs[start : start + _VERIFY_CHUNK]
                est = (sigs[chunk[:, 0]] == sigs[chunk[:, 1]]).mean(axis=1)
                same_group = group_ids[chunk[:, 0]] == group_ids[chunk[:, 1]]
                keep = (est >= self.threshold) & same_group
                for (a, b), sim in zip(chunk[keep].tolist(), est[keep].tolist(), strict=True):
                    ia, ib = with_words[a], with_words[b]
                    sims_to[(ia, ib)] = sim
                    ra, rb = find(ia), find(ib)
                    if ra != rb:
                        parent[max(ra, rb)] = min(ra, rb)
        members: dict[int, list[int]] = {}
        for i in range(n):
            members.setdefault(find(i), []).append(i)
        return self._clustering(list(members.values()), sims_to)

    def _clustering(
        self, components: list[list[int]], sims_to: dict[tuple[int, int], float]
    ) -> Clustering:
        import numpy as np

        counts = self._counts
        comps = [m for m in components if sum(counts[i] for i in m) >= 2]
        comps.sort(key=lambda m: (-sum(counts[i] for i in m), m[0]))
        cluster_of: dict[int, int] = {}
        sizes: list[int] = []
        variants: list[int] = []
        top_keys: list[int] = []
        similarity: list[float] = []
        for cid, comp in enumerate(comps):
            top = max(comp, key=lambda i: (counts[i], -i))
            total = sum(counts[i] for i in comp)
            weighted = 0.0
            for i in comp:
                sim = 1.0 if i == top else self._estimate(i, top, sims_to)
                weighted += sim * counts[i]
                cluster_of[self._keys[i]] = cid
            sizes.append(total)
            variants.append(len(comp))
            top_keys.append(self._keys[top])
            similarity.append(round(weighted / total, 4))
        pair_clusters, pair_customers, pair_counts = self._customer_pairs(cluster_of)
        if self._table.has_customers:
            counted = np.bincount(pair_clusters, minlength=len(comps))
            lost = np.zeros(len(comps), dtype=np.int64)
            for at, extra in enumerate(self._table.lost):
                lost_in = cluster_of.get(self._keys[at]) if extra else None
                if lost_in is not None:
                    lost[lost_in] += extra
            customers = (counted + lost).tolist()
        else:
            customers = list(sizes)
        repeat = np.flatnonzero(pair_counts > 1).tolist()
        multi = {
            (int(pair_clusters[i]), int(pair_customers[i])): int(pair_counts[i]) for i in repeat
        }
        return Clustering(
            cluster_of=cluster_of,
            sizes=sizes,
            variants=variants,
            top_keys=top_keys,
            similarity=similarity,
            customers=customers,
            pair_clusters=pair_clusters,
            pair_customers=pair_customers,
            pair_counts=pair_counts,
            has_customers=self._table.has_customers,
            multi=multi,
        )

    def _customer_pairs(
        self, cluster_of: dict[int, int]
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.uint64], npt.NDArray[np.int64]]:
        """Distinct (cluster, customer) pairs with row counts, sorted by cluster, customer."""
        import numpy as np

        pairs = self._table.pairs.counts
        size = len(pairs)
        clusters = np.fromiter(
            (cluster_of.get(k, -1) for k, _ in pairs),
            dtype=np.int64,
            count=size,
        )
        customers = np.fromiter((c for _, c in pairs), dtype=np.uint64, count=size)
        rows = np.fromiter(pairs.values(), dtype=np.int64, count=size)
        keep = clusters >= 0
        clusters, customers, rows = clusters[keep], customers[keep], rows[keep]
        order = np.lexsort((customers, clusters))
        clusters, customers, rows = clusters[order], customers[order], rows[order]
        if len(clusters) == 0:
            return clusters, customers, np.empty(0, dtype=np.int64)
        starts = np.flatnonzero(
            np.r_[True, (clusters[1:] != clusters[:-1]) | (customers[1:] != customers[:-1])]
        )
        counts = np.add.reduceat(rows, starts).astype(np.int64)
        return clusters[starts], customers[starts], counts

    def _estimate(self, i: int, top: int, known: dict[tuple[int, int], float]) -> float:
        pair = (min(i, top), max(i, top))
        if pair in known:
            return known[pair]
        a, b = self._signatures[i], self._signatures[top]
        if a is None or b is None:
            return 0.0
        return float((a == b).mean())


def cluster_texts(
    replies: Iterable[str],
    *,
    groups: Iterable[str] | None = None,
    threshold: float = DEFAULT_THRESHOLD,
) -> tuple[list[int | None], Clustering]:
    """Cluster a small list of replies; returns each reply's cluster id and the clustering."""
    sketch = ReplySketch(max_wordings=None)
    texts = list(replies)
    group_list = list(groups) if groups is not None else [""] * len(texts)
    keys = [sketch.add(t, group=g) for t, g in zip(texts, group_list, strict=True)]
    index = NearDuplicateIndex(threshold=threshold, max_wordings=None)
    index.merge(sketch)
    clustering = index.build()
    return [clustering.cluster_of.get(k) for k in keys], clustering
