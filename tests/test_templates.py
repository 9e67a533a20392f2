"""Template packs: loading, validation errors, sandboxing, rendering, golden files."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from empathic_reply._resources import list_data
from empathic_reply.errors import RenderError, TemplateError
from empathic_reply.templates import (
    ALWAYS_VARIABLES,
    OPTIONAL_VARIABLES,
    BrandVoice,
    TemplatePack,
    render_problem,
    strip_emoji,
)

GOLDEN = Path(__file__).parent / "golden"

FULL = {
    "greeting": "Hi Sam,",
    "issue": "your cancelled flight",
    "order": "order 12345",
    "brand": "Acme",
    "channel": "private",
    "name": "Sam",
    "product": "Echo Dot",
    "wait": "3 weeks",
    "amount": "$49.99",
    "date": "Monday",
    "deadline": "Friday",
    "promised": "Tuesday",
    "agent": "Ana",
    "suggestion": "a way to pause deliveries",
}
MINIMAL = {
    "greeting": "Hi there,",
    "issue": "this",
    "order": "your order",
    "brand": "the team",
    "channel": "public",
    **dict.fromkeys(OPTIONAL_VARIABLES, ""),
}


def _pack(body: str, **meta: object) -> str:
    fields = {"id": "test.variant.v1", "intents": "[complaint]", **meta}
    lines = ["version: 1", "variants:"]
    first = True
    for key, value in fields.items():
        lines.append(f"  {'- ' if first else '  '}{key}: {value}")
        first = False
    lines.append("    body: >-")
    lines.append(f"      {body}")
    return "\n".join(lines) + "\n"


# -- the shipped pack ----------------------------------------------------------------------


def test_default_pack_loads_every_file():
    pack = TemplatePack.default()
    files = {v.origin for v in pack}
    shipped = {f"templates/{n}" for n in list_data("templates") if n.endswith((".yaml", ".yml"))}
    assert files == shipped
    assert len(pack) >= 35


def test_default_pack_ids_are_versioned_and_unique():
    pack = TemplatePack.default()
    ids = [v.id for v in pack]
    assert len(ids) == len(set(ids))
    assert all(i.rsplit(".", 1)[-1].startswith("v") for i in ids)


@pytest.mark.parametrize("values", [FULL, MINIMAL], ids=["full", "minimal"])
def test_every_shipped_variant_renders_cleanly(values):
    for variant in TemplatePack.default():
        filled = dict(values)
        for required in variant.spec.requires:
            filled[required] = filled[required] or FULL[required]
        text = variant.render(filled)
        assert render_problem(text, source=variant.spec.body) is None, variant.id
        assert "None" not in text.replace("None of", ""), variant.id


def test_thanks_variants_are_short_and_never_apologise():
    for variant in TemplatePack.default():
        if variant.spec.intents[0] == "thanks":
            text = variant.render(FULL)
            assert len(text) <= 160, variant.id
            assert not variant.spec.apology
            assert "sorry" not in text.lower()


def test_praise_variants_never_apologise():
    for variant in TemplatePack.default():
        if set(variant.spec.intents) <= {"praise", "thanks"}:
            assert not variant.spec.apology, variant.id
            assert "sorry" not in variant.spec.body.lower(), variant.id


def test_no_corporate_boilerplate_in_the_pack():
    banned = (
        "apologize for any inconvenience",
        "apologise for any inconvenience",
        "your feedback is important",
        "please be advised",
        "as per our policy",
        "per our policy",
    )
    for variant in TemplatePack.default():
        body = variant.spec.body.lower()
        assert not any(b in body for b in banned), variant.id


def _golden_text(stem: str, pack: TemplatePack) -> str:
    blocks = []
    for variant in pack:
        if Path(variant.origin).stem != stem:
            continue
        minimal = dict(MINIMAL)
        for required in variant.spec.requires:
            minimal[required] = FULL[required]
        minimal["channel"] = variant.spec.channel if variant.spec.channel != "any" else "public"
        full = dict(FULL)
        full["channel"] = variant.spec.channel if variant.spec.channel != "any" else "private"
        blocks.append(f"## {variant.id} [full]\n{variant.render(full)}\n")
        blocks.append(f"## {variant.id} [minimal]\n{variant.render(minimal)}\n")
    return "\n".join(blocks)


@pytest.mark.parametrize(
    "stem",
    sorted(Path(n).stem for n in list_data("templates") if n.endswith((".yaml", ".yml"))),
)
def test_golden_files(stem):
    """Every shipped variant, with and without optional variables.

    Regenerate after an intended wording change with
    ``UPDATE_GOLDEN=1 pytest tests/test_templates.py``.
    """
    text = _golden_text(stem, TemplatePack.default())
    path = GOLDEN / f"{stem}.txt"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no golden file for {stem}; run with UPDATE_GOLDEN=1"
    assert path.read_text(encoding="utf-8") == text


def test_no_stale_golden_files():
    stems = {Path(n).stem for n in list_data("templates") if n.endswith((".yaml", ".yml"))}
    assert {p.stem for p in GOLDEN.glob("*.txt")} <= stems


# -- loader errors name file, variant and problem ------------------------------------------


def _load(tmp_path: Path, text: str, name: str = "mine.yaml") -> TemplatePack:
    (tmp_path / name).write_text(text, encoding="utf-8")
    return TemplatePack.from_folder(tmp_path)


def test_loads_a_user_folder(tmp_path):
    pack = _load(tmp_path, _pack("{{ greeting }} sorry about {{ issue }}.", apology="true"))
    assert pack["test.variant.v1"].render(FULL) == "Hi Sam, sorry about your cancelled flight."


def test_unknown_variable_is_named(tmp_path):
    with pytest.raises(
        TemplateError, match=r"mine\.yaml.*test\.variant\.v1.*unknown variable.*custmer"
    ):
        _load(tmp_path, _pack("{{ greeting }} {{ custmer }}"))


def test_syntax_error_is_named(tmp_path):
    with pytest.raises(TemplateError, match=r"mine\.yaml.*test\.variant\.v1.*syntax error"):
        _load(tmp_path, _pack("{{ greeting }} {% if name %}oops"))


def test_missing_field_is_named(tmp_path):
    text = "version: 1\nvariants:\n  - id: test.nointents.v1\n    body: hi\n"
    with pytest.raises(TemplateError, match=r"mine\.yaml.*test\.nointents\.v1.*'intents'.*missing"):
        _load(tmp_path, text)


def test_unknown_label_is_named(tmp_path):
    with pytest.raises(TemplateError, match=r"test\.variant\.v1.*'topics'.*unknown topic"):
        _load(tmp_path, _pack("{{ greeting }} hi", topics="[weather]"))


def test_bad_id_is_named(tmp_path):
    with pytest.raises(TemplateError, match=r"Bad Id.*'id'.*version"):
        _load(tmp_path, _pack("{{ greeting }} hi", id="Bad Id"))


def test_duplicate_id_in_a_file(tmp_path):
    one = _pack("{{ greeting }} one")
    two = one + "\n".join(one.splitlines()[2:]) + "\n"
    with pytest.raises(TemplateError, match=r"test\.variant\.v1.*duplicate id"):
        _load(tmp_path, two)


def test_duplicate_id_across_files(tmp_path):
    (tmp_path / "a.yaml").write_text(_pack("{{ greeting }} one"), encoding="utf-8")
    (tmp_path / "b.yaml").write_text(_pack("{{ greeting }} two"), encoding="utf-8")
    with pytest.raises(TemplateError, match=r"b\.yaml.*duplicate id.*a\.yaml"):
        TemplatePack.from_folder(tmp_path)


def test_requires_must_be_an_optional_variable(tmp_path):
    with pytest.raises(TemplateError, match=r"'requires'.*unknown optional variable.*shoe_size"):
        _load(tmp_path, _pack("{{ greeting }} hi", requires="[shoe_size]"))


def test_required_but_unused_is_an_error(tmp_path):
    with pytest.raises(TemplateError, match=r"requires \['wait'\] but the body never uses it"):
        _load(tmp_path, _pack("{{ greeting }} hi", requires="[wait]"))


def test_unguarded_optional_variable_is_an_error(tmp_path):
    with pytest.raises(TemplateError, match=r"test\.variant\.v1.*\['wait'\] used without a guard"):
        _load(tmp_path, _pack("{{ greeting }} waiting {{ wait }} is too long."))


def test_guards_are_understood(tmp_path):
    body = (
        "{{ greeting }} {% if wait %}waiting {{ wait }}{% else %}waiting{% endif %} "
        "for {{ product or 'it' }}{{ ' on ' ~ date if date else '' }}."
    )
    pack = _load(tmp_path, _pack(body))
    variant = pack["test.variant.v1"]
    assert variant.render(FULL) == "Hi Sam, waiting 3 weeks for Echo Dot on Monday."
    assert variant.render(MINIMAL) == "Hi there, waiting for it."


def test_not_a_folder():
    with pytest.raises(TemplateError, match="not a folder"):
        TemplatePack.from_folder("/definitely/not/here")


def test_invalid_yaml_is_named(tmp_path):
    with pytest.raises(TemplateError, match=r"mine\.yaml: invalid YAML"):
        _load(tmp_path, "version: 1\nvariants: [\n")


# -- merge, disable ------------------------------------------------------------------------


def test_merged_overrides_by_id_and_disables(tmp_path):
    shipped = TemplatePack.default()
    some_id = shipped.variants[0].id
    override = _pack("{{ greeting }} our own words about {{ issue }}.", id=some_id)
    pack = shipped.merged(_load(tmp_path, override))
    assert len(pack) == len(shipped)
    assert pack[some_id].render(FULL) == "Hi Sam, our own words about your cancelled flight."
    disabling = _pack("{{ greeting }} x", id=some_id, enabled="false")
    (tmp_path / "mine.yaml").write_text(disabling, encoding="utf-8")
    pack = shipped.merged(TemplatePack.from_folder(tmp_path))
    assert some_id not in pack
    assert len(pack) == len(shipped) - 1


def test_disabled_and_without():
    shipped = TemplatePack.default()
    first, second = shipped.variants[0].id, shipped.variants[1].id
    assert first not in shipped.disabled([first])
    assert len(shipped.without(first, second)) == len(shipped) - 2
    with pytest.raises(TemplateError, match="unknown variant"):
        shipped.disabled(["no.such.v1"])


# -- sandbox and injection -----------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "{{ ''.__class__ }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ cycler.__init__.__globals__ }}",
        "{{ greeting.upper() }}",
        "{{ greeting['__class__'] }}",
        "{% for x in range(3) %}x{% endfor %}",
        "{% set x = 1 %}{{ greeting }}",
        "{{ greeting | attr('__class__') }}",
        "{% import 'x' as y %}",
    ],
)
def test_user_pack_cannot_reach_python(tmp_path, body):
    with pytest.raises(TemplateError):
        _load(tmp_path, _pack(body))


def test_the_sandbox_is_a_second_line_of_defence():
    # Bypass the load-time checks and render a hostile template through the same environment.
    from empathic_reply.templates import _ENV

    template = _ENV.from_string("{{ greeting.__class__.__mro__ }}")
    with pytest.raises(Exception, match=r"unsafe|undefined|attribute"):
        template.render(greeting="x")


@pytest.mark.parametrize(
    "hostile",
    [
        "{{ 7*7 }}",
        "{% for x in range(10) %}x{% endfor %}",
        "{{ ''.__class__.__mro__ }}",
        "{# comment #}",
    ],
)
def test_customer_values_come_back_literally(hostile):
    variant = TemplatePack.default()["praise.made_our_day.v1"]
    values = {**FULL, "greeting": f"Hi {hostile},"}
    # A value with template syntax is never evaluated; the output check refuses to return it.
    with pytest.raises(RenderError, match="template syntax"):
        variant.render(values)
    values = {**FULL, "issue": "7*7"}
    assert "49" not in TemplatePack.default()["question.public.dm.v1"].render(values)


# -- rendering guarantees ------------------------------------------------------------------


def test_missing_or_non_string_values_raise_render_error():
    variant = TemplatePack.default()["question.public.dm.v1"]
    with pytest.raises(RenderError, match="issue"):
        variant.render({k: v for k, v in FULL.items() if k != "issue"})
    with pytest.raises(RenderError, match="None"):
        variant.render({**FULL, "issue": None})  # type: ignore[dict-item]
    with pytest.raises(RenderError, match="required but empty"):
        variant.render({**FULL, "greeting": ""})


def test_render_problem_catches_bad_output():
    assert render_problem("Hi , thanks") == "empty greeting"
    assert render_problem("Hi Sam, thanks for None") == "'None' in the output"
    assert render_problem("Hi Sam,  thanks") == "doubled space"
    assert render_problem("Hi {{ name }}") is not None
    assert render_problem("Hi Sam, about  .") is not None
    assert render_problem("Hi Sam, None of this is okay.", source="None of this") is None
    assert render_problem("Hi Sam, thanks!") is None


def test_every_variable_set_is_documented():
    assert {"greeting", "issue", "order", "brand", "channel"} == ALWAYS_VARIABLES
    assert {
        "name",
        "product",
        "wait",
        "amount",
        "date",
        "deadline",
        "promised",
        "agent",
        "suggestion",
    } == OPTIONAL_VARIABLES


# -- brand voice ---------------------------------------------------------------------------


def test_brand_voice_greetings_never_leave_a_gap():
    assert BrandVoice().greet("Sam") == "Hi Sam,"
    assert BrandVoice().greet("") == "Hi there,"
    assert BrandVoice(greeting="dear").greet("") == "Hello there,"
    assert BrandVoice(greeting="hey").greet("Zoë") == "Hey Zoë,"


def test_brand_voice_signature_and_validation():
    assert BrandVoice(sign_off="– Ana at Acme").signature() == "– Ana at Acme"
    assert BrandVoice(agent_name="Ana").signature() == "– Ana"
    assert BrandVoice().signature() == ""
    with pytest.raises(ValueError, match="template syntax"):
        BrandVoice(sign_off="{{ 7*7 }}")
    with pytest.raises(ValueError, match="extra"):
        BrandVoice(colour="red")  # type: ignore[call-arg]


def test_emoji_are_stripped_when_off(tmp_path):
    pack = _load(tmp_path, _pack("{{ greeting }} thank you 🙏 so much 🎉!"))
    variant = pack["test.variant.v1"]
    assert variant.render(FULL, voice=BrandVoice(emoji=True)) == "Hi Sam, thank you 🙏 so much 🎉!"
    assert variant.render(FULL, voice=BrandVoice(emoji=False)) == "Hi Sam, thank you so much!"
    assert strip_emoji("ok 👩‍👩‍👧‍👦 fine ❤️") == "ok fine"


def test_brand_voice_greeting_alternatives_keep_the_register():
    neutral = BrandVoice().greetings("Sam")
    assert neutral[0] == "Hi Sam,"
    assert len(set(neutral)) == len(neutral) >= 5
    assert "Hey Sam," in neutral
    assert "" in neutral
    assert BrandVoice().greetings("") == (
        "Hi there,",
        "Hey there,",
        "Hi!",
        "Hello there,",
        "Hey!",
        "",
        "Hello!",
    )
    formal = BrandVoice(formality="formal", greeting="hello").greetings("Sam")
    assert formal == ("Hello Sam,", "Hi Sam,")
    assert BrandVoice(vary_greeting=False).greetings("Sam") == ("Hi Sam,",)
    for voice in (BrandVoice(), BrandVoice(greeting="dear"), BrandVoice(greeting="hello")):
        for name in ("", "Zoë"):
            for greeting in voice.greetings(name):
                assert not re.match(r"^(?:hi|hey|hello|dear)\s*,", greeting, re.IGNORECASE)
                assert "  " not in greeting


def test_emotion_required_needs_emotions(tmp_path):
    with pytest.raises(TemplateError, match=r"test\.variant\.v1.*emotion_required.*emotions"):
        _load(tmp_path, _pack("{{ greeting }} no wonder you're confused.", emotion_required="true"))


def test_emotion_required_is_loaded(tmp_path):
    pack = _load(
        tmp_path,
        _pack("{{ greeting }} no wonder.", emotions="[confusion]", emotion_required="true"),
    )
    assert pack["test.variant.v1"].spec.emotion_required
