"""The public surface: __all__ matches the exports, import stays light, errors are one family."""

from __future__ import annotations

import subprocess
import sys

import pytest

import empathic_reply as er
from empathic_reply import errors


def test_all_is_unique():
    # Its order is enforced by ruff (RUF022, isort-style sort), run in test_quality.py.
    assert len(set(er.__all__)) == len(er.__all__)


def test_all_matches_what_the_package_exports():
    public = {name for name in dir(er) if not name.startswith("_")}
    # Submodules become attributes once imported; they are not part of the API.
    modules = {name for name in public if type(getattr(er, name)).__name__ == "module"}
    assert public - modules == set(er.__all__) - {"__version__"}


@pytest.mark.parametrize("name", er.__all__)
def test_every_public_name_resolves(name):
    assert getattr(er, name) is not None


def test_unknown_attribute_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = er.nope


def test_contract_names_exist():
    for name in (
        "analyze",
        "analyze_many",
        "draft",
        "draft_many",
        "review",
        "score_cannedness",
        "audit",
        "Engine",
    ):
        assert callable(getattr(er, name))


def test_import_loads_no_heavy_dependency():
    code = (
        "import sys, empathic_reply; "
        "heavy = [m for m in ('spacy', 'vaderSentiment', 'pandas', 'matplotlib', 'datasketch', "
        "'jinja2', 'thinc') if m in sys.modules]; print(','.join(heavy))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == ""


def test_every_library_error_shares_one_base():
    for name in errors.__all__:
        assert issubclass(getattr(errors, name), errors.EmpathicReplyError)
    assert issubclass(errors.TemplateError, ValueError)
    assert issubclass(errors.MissingExtraError, ImportError)


def test_missing_extra_error_names_the_extra():
    exc = errors.MissingExtraError("pandas", "audit")
    assert "pip install 'empathic-reply[audit]'" in str(exc)


def test_version_matches_pyproject():
    from pathlib import Path

    tomllib = pytest.importorskip("tomllib")

    pyproject = Path(__file__).resolve().parents[1] / "pyproject.toml"
    assert tomllib.loads(pyproject.read_text())["project"]["version"] == er.__version__


def test_engine_takes_product_names():
    engine = er.Engine(products=["Acme Blender 3000"])
    analysis = engine.analyze("my acme blender 3000 stopped working after a week")
    assert [(d.kind, d.text) for d in analysis.details if d.kind == "product"] == [
        ("product", "acme blender 3000")
    ]
    assert "acme blender 3000" in engine.draft("my acme blender 3000 stopped working").text.lower()
