"""Shared Hypothesis strategies: the kinds of text the internet sends a support inbox."""

from __future__ import annotations

from hypothesis import strategies as st

__all__ = ["hostile_text", "support_text"]

_SNIPPETS = [
    "my order #12345 never arrived",
    "Still waiting on my refund, 3 weeks now",
    "thanks!!",
    "{{ 7*7 }}",
    "{% for x in range(10) %}x{% endfor %}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "<script>alert(1)</script>",
    "**bold** _md_ [link](http://example.com)",
    "@AmazonHelp why??",
    "call me on +44 20 7946 0958 or jane.doe@example.com",
    "❤️",
    "👩‍👩‍👧‍👦",
    "🙄🙄🙄",
    "\u200b\u200d\ufeff",
    "\x00\x07\x1b[31m",
    "¿Dónde está mi pedido?",
    "Где мой заказ?",
    "我的订单在哪里",
    "I WANT MY MONEY BACK NOW",
    "   ",
    "",
]

support_text = st.lists(st.sampled_from(_SNIPPETS), min_size=0, max_size=4).map(" ".join)
"""Realistic and hostile fragments glued together."""

hostile_text = st.one_of(
    st.text(max_size=300),
    support_text,
    st.tuples(support_text, st.text(max_size=80)).map(lambda pair: pair[0] + pair[1]),
)
"""Arbitrary unicode mixed with support snippets, emoji, control characters and template syntax."""
