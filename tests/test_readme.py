"""The README's promises: its Python example runs, and CI runs exactly its test command."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.DOTALL)


def test_readme_has_the_two_setup_commands():
    commands = [b.strip() for b in _blocks("bash")]
    assert any("empathic-reply draft" in c and "pip install ." in c for c in commands)
    assert any("pytest" in c and ".[test]" in c for c in commands)


def test_ci_runs_exactly_the_readme_test_command():
    test_command = next(b.strip() for b in _blocks("bash") if "pytest" in b)
    ci_lines = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert test_command in ci_lines


def test_readme_python_examples_run(capsys):
    blocks = _blocks("python")
    assert blocks
    for block in blocks:
        exec(compile(block, "README.md", "exec"), {"__name__": "__readme__"})
    out = capsys.readouterr().out
    assert "negative complaint" in out
    assert "high" in out
