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
"""

from __future__ import annotations

import hashlib
import re
from array import array
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

__all__ = [
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
_WORD = re.compile(r"[a-z0-9_']+")


def signoff(text: str) -> str | None:
    """Return the agent sign-off at the end of a reply ("^JS", "-AB"), or ``None``.

    The sign-off is returned normalised to ``"^" + initials`` as written, e.g. ``"^JS"`` for
    both "^JS" and "- JS"; it identifies the agent when no agent column exists.
    """
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
    text = _SIGNOFF.sub("", text)
    text = _URL.sub(" _url_ ", text)
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


def _signature(shingle_set: set[str], num_perm: int) -> npt.NDArray[np.uint32]:
    from datasketch import MinHash

    mh = MinHash(num_perm=num_perm, permutations=_permutations(num_perm), scheme="affine32")
    mh.update_batch(sorted(s.encode("utf-8", "surrogatepass") for s in shingle_set))
    result: npt.NDArray[np.uint32] = mh.hashvalues
    return result


@dataclass
class ReplySketch:
    """Distinct wordings of a slice of the corpus, with counts, customers and signatures.

    Built row by row (:meth:`add`), in row order; sketches of consecutive partitions merge
    into a :class:`NearDuplicateIndex` in partition order, giving the same result as one pass.

    Attributes:
        num_perm: MinHash permutations.
        keys: Wording keys in first-seen order.
        groups: Group (brand) of each key.
        counts: Rows per key.
        signatures: One MinHash signature per key (``None`` for a wording with no words).
        row_keys: Per row with a known customer: its wording key (compact ``array``).
        row_customers: Per row with a known customer: a 64-bit hash of the customer id.
        rows: Number of rows added.
    """

    num_perm: int = DEFAULT_NUM_PERM
    keys: list[int] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    counts: list[int] = field(default_factory=list)
    signatures: list[npt.NDArray[np.uint32] | None] = field(default_factory=list)
    row_keys: array[int] = field(default_factory=lambda: array("Q"))
    row_customers: array[int] = field(default_factory=lambda: array("Q"))
    rows: int = 0
    _index: dict[int, int] = field(default_factory=dict, repr=False)

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
        position = self._index.get(key)
        if position is None:
            self._index[key] = len(self.keys)
            self.keys.append(key)
            self.groups.append(group)
            self.counts.append(1)
            grams = shingles(words)
            self.signatures.append(_signature(grams, self.num_perm) if grams else None)
        else:
            self.counts[position] += 1
        if customer is not None:
            self.row_keys.append(key)
            self.row_customers.append(customer_hash(customer))
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


class NearDuplicateIndex:
    """Merge :class:`ReplySketch` es and cluster near-duplicate wordings with MinHash LSH.

    Args:
        threshold: Jaccard similarity in [0, 1] at and above which two wordings are near-copies.
        num_perm: MinHash permutations (must match the sketches).
    """

    def __init__(
        self, *, threshold: float = DEFAULT_THRESHOLD, num_perm: int = DEFAULT_NUM_PERM
    ) -> None:
        self.threshold = threshold
        self.num_perm = num_perm
        self._keys: list[int] = []
        self._groups: list[str] = []
        self._counts: list[int] = []
        self._signatures: list[npt.NDArray[np.uint32] | None] = []
        self._row_keys: array[int] = array("Q")
        self._row_customers: array[int] = array("Q")
        self._index: dict[int, int] = {}
        self._has_customers = False

    def merge(self, sketch: ReplySketch) -> None:
        """Add a partition's sketch (call in partition order for deterministic cluster ids)."""
        for key, group, count, sig in zip(
            sketch.keys, sketch.groups, sketch.counts, sketch.signatures, strict=True
        ):
            position = self._index.get(key)
            if position is None:
                self._index[key] = len(self._keys)
                self._keys.append(key)
                self._groups.append(group)
                self._counts.append(count)
                self._signatures.append(sig)
            else:
                self._counts[position] += count
        if sketch.row_keys:
            self._has_customers = True
            self._row_keys.extend(sketch.row_keys)
            self._row_customers.extend(sketch.row_customers)

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
        if self._has_customers:
            customers = np.bincount(pair_clusters, minlength=len(comps)).tolist()
        else:
            customers = list(sizes)
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
            has_customers=self._has_customers,
        )

    def _customer_pairs(
        self, cluster_of: dict[int, int]
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.uint64], npt.NDArray[np.int64]]:
        """Distinct (cluster, customer) pairs with row counts, sorted (numpy: ~24 B a row)."""
        import numpy as np

        clusters = np.fromiter(
            (cluster_of.get(k, -1) for k in self._row_keys),
            dtype=np.int64,
            count=len(self._row_keys),
        )
        customers = (
            np.frombuffer(self._row_customers, dtype=np.uint64)
            if self._row_customers
            else np.empty(0, dtype=np.uint64)
        )
        keep = clusters >= 0
        clusters, customers = clusters[keep], customers[keep]
        order = np.lexsort((customers, clusters))
        clusters, customers = clusters[order], customers[order]
        if len(clusters) == 0:
            return clusters, customers, np.empty(0, dtype=np.int64)
        starts = np.flatnonzero(
            np.r_[True, (clusters[1:] != clusters[:-1]) | (customers[1:] != customers[:-1])]
        )
        counts = np.diff(np.r_[starts, len(clusters)]).astype(np.int64)
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
    sketch = ReplySketch()
    texts = list(replies)
    group_list = list(groups) if groups is not None else [""] * len(texts)
    keys = [sketch.add(t, group=g) for t, g in zip(texts, group_list, strict=True)]
    index = NearDuplicateIndex(threshold=threshold)
    index.merge(sketch)
    clustering = index.build()
    return [clustering.cluster_of.get(k) for k in keys], clustering
