"""Every example in the README and the documentation runs, and the site builds with --strict.

- Every ```python block of a page runs, in order, in one namespace per page, in a fresh
  temporary working directory.
- Every ```bash / ```console block that calls ``empathic-reply`` runs in a shell (set-up
  lines such as ``pip install`` or ``python -m venv`` are left out), and must exit with 0.
- A block preceded by ``<!-- write-file: some/path.yaml -->`` is written to that path in
  the page's working directory before the blocks after it run, so a page can show a file
  (a template pack, a rule file, JSON Lines input) and then use exactly that file.
- A block preceded by ``<!-- skip-test: reason -->`` is not run; use it sparingly.
- ``mkdocs build --strict`` succeeds (marked slow).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import types
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PAGES = sorted(
    [ROOT / "README.md", *DOCS.rglob("*.md")], key=lambda p: p.relative_to(ROOT).as_posix()
)

_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<lang>[\w+-]*)[^\n]*$")
_DIRECTIVE = re.compile(r"^\s*<!--\s*(?P<kind>skip-test|write-file):\s*(?P<arg>.*?)\s*-->\s*$")
_SHELL_LANGUAGES = {"bash", "console", "shell", "sh"}
# Set-up steps a reader runs once; the test environment already has the package installed.
_SETUP = re.compile(
    r"^(?:pip3?\s|python3?\s+-m\s+(?:pip|venv|pytest)\b|\.\s+\S*activate|source\s+\S*activate"
    r"|cd\s|git\s|jupyter\s)"
)


@dataclass(frozen=True)
class Block:
    """One fenced code block of a page."""

    page: Path
    line: int  # 1-based line of the opening fence
    language: str
    code: str
    skip: str | None  # reason, when the block opts out
    write_to: str | None  # relative path, when the block is a file to write


def blocks(page: Path) -> list[Block]:
    """The fenced code blocks of a Markdown page, with their directives, in order."""
    lines = page.read_text(encoding="utf-8").splitlines()
    found: list[Block] = []
    index = 0
    while index < len(lines):
        opening = _FENCE.match(lines[index])
        if not opening:
            index += 1
            continue
        indent, fence = opening["indent"], opening["fence"]
        body: list[str] = []
        end = index + 1
        while end < len(lines) and not (
            lines[end].strip().startswith(fence) and lines[end].strip().strip(fence[0]) == ""
        ):
            line = lines[end]
            body.append(line[len(indent) :] if line.startswith(indent) else line.lstrip())
            end += 1
        previous = index - 1
        while previous >= 0 and not lines[previous].strip():
            previous -= 1
        directive = _DIRECTIVE.match(lines[previous]) if previous >= 0 else None
        found.append(
            Block(
                page=page,
                line=index + 1,
                language=opening["lang"].lower(),
                code="\n".join(body) + "\n",
                skip=directive["arg"] if directive and directive["kind"] == "skip-test" else None,
                write_to=directive["arg"]
                if directive and directive["kind"] == "write-file"
                else None,
            )
        )
        index = end + 1
    return found


def shell_script(block: Block) -> str | None:
    """The commands of a shell block that call the CLI, without set-up steps; None if none."""
    commands: list[str] = []
    lines = block.code.splitlines()
    if block.language == "console":
        # `$ command` lines (and their `\` continuations) are commands; the rest is output.
        kept: list[str] = []
        continuing = False
        for line in lines:
            if line.startswith("$ ") or continuing:
                kept.append(line[2:] if line.startswith("$ ") else line)
                continuing = line.rstrip().endswith("\\")
        lines = kept
    for line in lines:
        if not line.strip() or line.lstrip().startswith("#"):
            commands.append(line)
            continue
        segments = [s.strip() for s in line.split(" && ")]
        kept_segments = [s for s in segments if not _SETUP.match(s)]
        if kept_segments:
            commands.append(" && ".join(kept_segments))
    script = "\n".join(commands).strip()
    return script if re.search(r"(^|[|;&(]\s*)empathic-reply\b", script, re.M) else None


def _page_id(page: Path) -> str:
    return page.relative_to(ROOT).as_posix()


def test_pages_are_found():
    names = {_page_id(p) for p in PAGES}
    assert "README.md" in names
    assert "docs/index.md" in names
    assert "docs/quickstart.md" in names


def test_block_parser_reads_directives(tmp_path):
    page = tmp_path / "page.md"
    page.write_text(
        "Text\n\n<!-- skip-test: needs a cluster -->\n```python\nx = 1\n```\n\n"
        "<!-- write-file: pack/a.yaml -->\n```yaml\nversion: 1\n```\n\n"
        "```console\n$ empathic-reply --version\nempathic-reply 0.1.0\n```\n\n"
        "```bash\npython3 -m venv .venv && pip install . && empathic-reply draft hi\n```\n",
        encoding="utf-8",
    )
    found = blocks(page)
    assert [b.language for b in found] == ["python", "yaml", "console", "bash"]
    assert found[0].skip == "needs a cluster"
    assert found[1].write_to == "pack/a.yaml"
    assert found[1].code == "version: 1\n"
    assert shell_script(found[2]) == "empathic-reply --version"
    assert shell_script(found[3]) == "empathic-reply draft hi"


def test_no_page_uses_the_shared_data():
    # Development data is for tuning and measuring only; it never appears in the docs.
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        assert "shared/data" not in text, _page_id(page)


def test_api_reference_lists_every_public_name():
    import empathic_reply as er

    text = (DOCS / "reference" / "api.md").read_text(encoding="utf-8")
    # `review` and `audit` are documented from `_api`, where the functions are defined: the
    # submodules of the same names would otherwise be rendered instead.
    documented = set(re.findall(r"^::: empathic_reply\.(?:_api\.)?(\w+)\s*$", text, re.M))
    assert sorted(set(er.__all__) - documented) == []


def test_every_alert_code_is_documented():
    text = (DOCS / "reference" / "scores.md").read_text(encoding="utf-8")
    codes: set[str] = set()
    for path in (ROOT / "src" / "empathic_reply").rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        codes.update(re.findall(r"\bcode=\"([a-z_]+)\"", source))
        # Alerts built by a local helper: add("code", "message", ...).
        codes.update(re.findall(r"\badd\(\s*\"([a-z_]+)\",", source))
    assert codes, "no alert codes found in the source"
    assert sorted(c for c in codes if f"`{c}`" not in text) == []


def test_cli_reference_lists_every_command_and_option():
    import argparse

    from empathic_reply.cli import _parser

    text = (DOCS / "reference" / "cli.md").read_text(encoding="utf-8")
    parser = _parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    missing = []
    for name, sub in commands.choices.items():
        if f"## `empathic-reply {name}`" not in text:
            missing.append(name)
        for action in sub._actions:
            missing.extend(o for o in action.option_strings if o.startswith("--") and o not in text)
    assert missing == []


def _write(block: Block, workdir: Path) -> None:
    assert block.write_to is not None
    target = (workdir / block.write_to).resolve()
    assert target.is_relative_to(workdir.resolve()), f"{block.write_to} leaves the workdir"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(block.code, encoding="utf-8")


def _env() -> dict[str, str]:
    env = dict(os.environ)
    # The CLI of the interpreter running the tests, whatever venv that is.
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env["NO_MKDOCS_2_WARNING"] = "1"
    return env


@pytest.mark.parametrize("page", PAGES, ids=_page_id)
def test_python_examples_run(page, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    # A real module, so that dataclasses, pickling and typing can find the examples' classes.
    module = types.ModuleType("__docs__")
    monkeypatch.setitem(sys.modules, module.__name__, module)
    namespace = module.__dict__
    ran = 0
    for block in blocks(page):
        if block.write_to:
            _write(block, tmp_path)
        if block.language != "python" or block.skip or block.write_to:
            continue
        where = f"{_page_id(page)}:{block.line}"
        try:
            exec(compile(block.code, where, "exec"), namespace)
        except Exception as exc:
            output = capsys.readouterr().out
            pytest.fail(
                f"example at {where} failed: {type(exc).__name__}: {exc}\n"
                f"--- code ---\n{block.code}--- output so far ---\n{output[-2000:]}"
            )
        ran += 1
    if ran == 0:
        pytest.skip("no Python examples on this page")


@dataclass(frozen=True)
class ShellRun:
    """One shell example and how it ended."""

    where: str
    script: str
    returncode: int
    stdout: str
    stderr: str


def _run_shell_examples(page: Path) -> list[ShellRun]:
    """Run a page's command-line examples in order, in a fresh working directory."""
    runs: list[ShellRun] = []
    with tempfile.TemporaryDirectory(prefix="docs-shell-") as workdir:
        for block in blocks(page):
            if block.write_to:
                _write(block, Path(workdir))
            if block.language not in _SHELL_LANGUAGES or block.skip or block.write_to:
                continue
            script = shell_script(block)
            if script is None:
                continue
            done = subprocess.run(
                ["bash", "-e", "-o", "pipefail", "-c", script],
                cwd=workdir,
                env=_env(),
                capture_output=True,
                text=True,
                stdin=subprocess.DEVNULL,
                timeout=180,
                check=False,
            )
            where = f"{_page_id(page)}:{block.line}"
            runs.append(ShellRun(where, script, done.returncode, done.stdout, done.stderr))
    return runs


@pytest.fixture(scope="session")
def shell_runs() -> dict[Path, list[ShellRun]]:
    """Every page's command-line examples, pages run concurrently.

    Each command starts a new process that loads spaCy, VADER and the template pack, so the
    pages run side by side (each page's examples still in order) to keep the suite quick.
    """
    workers = max(1, min(4, os.cpu_count() or 1))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return dict(zip(PAGES, pool.map(_run_shell_examples, PAGES), strict=True))


@pytest.mark.parametrize("page", PAGES, ids=_page_id)
def test_shell_examples_run(page, shell_runs):
    runs = shell_runs[page]
    if not runs:
        pytest.skip("no command-line examples on this page")
    for run in runs:
        assert run.returncode == 0, (
            f"shell example at {run.where} exited with {run.returncode}\n"
            f"--- script ---\n{run.script}\n--- stdout ---\n{run.stdout[-2000:]}\n"
            f"--- stderr ---\n{run.stderr[-2000:]}"
        )


@pytest.mark.slow
def test_site_builds_strictly(tmp_path):
    pytest.importorskip("mkdocs", reason="install the docs extra to build the site")
    # No --quiet: it hides the warnings, and --strict then has nothing to fail on.
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(tmp_path)],
        cwd=ROOT,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, f"mkdocs build --strict failed:\n{done.stdout}\n{done.stderr}"
    assert (tmp_path / "index.html").is_file()
    assert (tmp_path / "reference" / "api" / "index.html").is_file()
