# ruff: noqa: T201 - a build script reports what it wrote on stdout
"""Build ``src/empathic_reply/data/rules_gates.json``: the pre-filter gates of every shipped rule.

A rule set runs a rule only when the text contains literal strings that every match of the
rule's patterns needs (its gate sets, see ``empathic_reply._rules``). Working them out means
parsing each pattern, which was most of the cost of loading the shipped rules in a new
process. This script works them out once and stores them; at run time a pattern found in the
table skips the parse, and one that is not (a user rule, an edited pattern) is parsed as
before. Gate sets follow from the pattern's text alone, so an entry can never be stale for
its pattern; ``tests/test_rules.py`` checks that the table is complete and matches.

Run from the repository root after changing any shipped rule file::

    python scripts/build_rule_gates.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def shipped_patterns() -> list[str]:
    """Every pattern of every shipped rule (rule files and the drafter's hand-off rules)."""
    from empathic_reply._resources import list_data, load_yaml
    from empathic_reply.drafting import _HANDOFF_RULES

    documents = [_HANDOFF_RULES]
    for folder in ("analysis", "review"):
        documents += [
            load_yaml(folder, name) for name in list_data(folder) if name.endswith(".yaml")
        ]
    found: set[str] = set()
    for document in documents:
        rules = document.get("rules") if isinstance(document, dict) else None
        for rule in rules or []:
            if isinstance(rule, dict):
                found.update(str(p) for p in rule.get("patterns", []))
    return sorted(found)


def build() -> dict[str, list[list[str]] | None]:
    """Pattern -> its gate sets (each sorted), in the order the rule engine uses them."""
    from empathic_reply._rules import compute_gate

    table: dict[str, list[list[str]] | None] = {}
    for pattern in shipped_patterns():
        gate = compute_gate(pattern)
        table[pattern] = None if gate is None else [sorted(strings) for strings in gate]
    return table


def main() -> int:
    """Write the table (one pattern per line, sorted, so a change reads well in a diff)."""
    from empathic_reply._rules import GATES_FILE

    target = ROOT / "src" / "empathic_reply" / "data" / Path(*GATES_FILE)
    table = build()
    lines = [
        f"{json.dumps(pattern, ensure_ascii=False)}: {json.dumps(gate, ensure_ascii=False)}"
        for pattern, gate in sorted(table.items())
    ]
    target.write_text("{\n" + ",\n".join(lines) + "\n}\n", encoding="utf-8")
    print(f"wrote {len(table)} patterns to {target.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
