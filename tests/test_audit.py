"""Corpus audits: input kinds, order and ids, summary figures, clusters, exports, Dask."""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from empathic_reply.audit import COLUMNS, AuditReport, audit
from empathic_reply.errors import ConfigError, MissingExtraError
from tests._audit_fakes import FakeEngine

CANNED = "We apologize for any inconvenience. Please DM us your details and we will look into it."

PAIRS = [
    ("My parcel never arrived", "@ann1 " + CANNED + " ^JS"),
    ("Thanks for the quick help!", "You're welcome, glad the new router works for you."),
    ("Still waiting on my refund", "@bob2 " + CANNED + " -AB"),
    ("Can you change my address?", "Done: your next box goes to the new flat from Monday."),
    ("The app is broken again", "Restart the app and try once more."),
]


@pytest.fixture
def fake():
    return FakeEngine()


def _frame(report: AuditReport) -> pd.DataFrame:
    return report.to_frame()


def _dicts():
    return [{"message": m, "reply": r, "ticket": f"t{i}"} for i, (m, r) in enumerate(PAIRS)]


# ------------------------------------------------------------------------ input kinds


def test_each_input_kind_gives_the_same_rows(tmp_path, fake):
    frame = pd.DataFrame(_dicts())
    csv_path = tmp_path / "pairs.csv"
    frame.to_csv(csv_path, index=False)
    jsonl_path = tmp_path / "pairs.jsonl"
    jsonl_path.write_text("".join(json.dumps(d) + "\n" for d in _dicts()), encoding="utf-8")
    reports = [
        audit(frame, engine=fake, id="ticket"),
        audit(_dicts(), engine=fake, id="ticket"),
        audit(iter(_dicts()), engine=fake, id="ticket"),  # one-shot: spooled
        audit(csv_path, engine=fake, id="ticket"),
        audit(str(jsonl_path), engine=fake, id="ticket"),
    ]
    expected = _frame(reports[0])
    assert list(expected.columns) == list(COLUMNS)
    assert list(expected["id"]) == ["t0", "t1", "t2", "t3", "t4"]
    for report in reports[1:]:
        pd.testing.assert_frame_equal(_frame(report), expected)


def test_pairs_and_generators_keep_order_and_positions(fake):
    report = audit((p for p in PAIRS), engine=fake, batch_size=2)
    df = report.to_frame()
    assert list(df["row"]) == [0, 1, 2, 3, 4]
    assert list(df["id"]) == [0, 1, 2, 3, 4]
    assert list(df["message"]) == [m for m, _ in PAIRS]
    assert fake.analyzer.calls == [2, 2, 1]  # batched through analyze_many


def test_triples_carry_an_id(fake):
    report = audit([("hi", "hello", "a"), ("yo", "hey", "b")], engine=fake, id="id")
    assert list(report.to_frame()["id"]) == ["a", "b"]


def test_bad_rows_are_flagged_not_raised(fake):
    data = [
        {"message": "fine", "reply": "Thanks, we are on it."},
        {"message": 42, "reply": "A reply to a number."},
        {"message": "no reply"},
        {"message": None, "reply": None},
        {"message": float("nan"), "reply": "after nan"},
        "not a row",
        {"message": "bytes", "reply": b"raw bytes"},
    ]
    report = audit(data, engine=fake)
    df = report.to_frame()
    assert len(df) == 7
    problems = list(df["problem"])
    assert problems[0] is None or (isinstance(problems[0], float) and math.isnan(problems[0]))
    assert problems[1] == "message is not text (int)"
    assert problems[2] == "reply is missing"
    assert problems[3] == "message is missing; reply is missing"
    assert problems[4] == "message is missing"
    assert "not a mapping or pair" in problems[5]
    assert problems[6] == "reply is not text (bytes)"
    # A reply without a usable message is still reviewed; a missing reply is not.
    assert not pd.isna(df.loc[1, "cannedness"])
    assert pd.isna(df.loc[2, "cannedness"])
    s = report.summary()
    assert (s.pairs, s.scored, s.invalid) == (7, 3, 4)


def test_missing_column_is_a_config_error(fake):
    with pytest.raises(ConfigError, match="'text'"):
        audit(pd.DataFrame(_dicts()), engine=fake, message="text")
    with pytest.raises(ConfigError, match="agent column 'who'"):
        audit(pd.DataFrame(_dicts()), engine=fake, agent="who")


def test_unsupported_inputs(tmp_path, fake):
    with pytest.raises(TypeError, match="data must be"):
        audit(42, engine=fake)
    bad = tmp_path / "x.xlsx"
    bad.write_text("x")
    with pytest.raises(ConfigError, match="unsupported file type"):
        audit(bad, engine=fake)
    with pytest.raises(FileNotFoundError):
        audit(tmp_path / "missing.csv", engine=fake)


def test_missing_extra_is_named(monkeypatch, fake):
    import sys

    monkeypatch.setitem(sys.modules, "datasketch", None)
    with pytest.raises(MissingExtraError, match=r"empathic-reply\[audit\]"):
        audit(PAIRS, engine=fake)


# ------------------------------------------------------------------------ summary figures

TINY = [
    # agent, channel, message, reply, sent, replied (minutes after 10:00)
    ("ann", "public", "My parcel never arrived", "@u1 " + CANNED, 0, 10),
    ("ann", "public", "The box was broken", "@u2 " + CANNED, 0, 20),
    (
        "bob",
        "public",
        "Still waiting for the refund",
        "Sorry Kim, I've pushed the £20 refund through, it lands by Friday.",
        0,
        30,
    ),
    ("bob", "public", "Thanks so much!", "Glad to help! Mail me at bob@example.com", 0, 40),
    ("cat", "private", "Late delivery again", "Your delivery is scheduled.", 0, 100),
]


def _tiny():
    return pd.DataFrame(
        [
            {
                "agent": a,
                "channel": c,
                "message": m,
                "reply": r,
                "sent": pd.Timestamp("2026-01-05 10:00", tz="UTC") + pd.Timedelta(minutes=s),
                "replied": f"2026-01-05T10:{t:02d}:00Z" if t < 60 else "2026-01-05T11:40:00+00:00",
            }
            for a, c, m, r, s, t in TINY
        ]
    )


def test_summary_figures_on_a_tiny_corpus(fake):
    report = audit(
        _tiny(),
        engine=fake,
        agent="agent",
        channel="channel",
        message_time="sent",
        reply_time="replied",
    )
    s = report.summary()
    assert s.pairs == s.scored == 5
    # Fake reviewer: stock phrase (+0.5) and one repeat (+0.1) on the two canned replies.
    assert s.canned == 2
    assert s.canned_rate == 0.4
    assert s.canned_levels == {"low": 3, "medium": 0, "high": 2}
    assert s.mean_cannedness == pytest.approx((0.7 + 0.7 + 0.1 + 0.1 + 0.1) / 5, abs=1e-4)
    assert (s.repeated, s.clusters, s.largest_cluster) == (2, 1, 2)
    # Complaints: rows 0, 1, 2 (never arrived, broken, still waiting), 4 (late).
    assert s.complaints == 4
    # Rows 0-1 apologise ("apologize"), row 2 says sorry; row 4 does neither.
    assert s.complaints_without_apology == 1
    assert s.complaint_no_apology_rate == 0.25
    assert (s.public_replies, s.public_personal_data) == (4, 1)
    assert s.public_personal_data_rate == 0.25
    # Response times: 10, 20, 30, 40, 100 minutes.
    assert s.timed_pairs == 5
    assert s.median_response_seconds == 1800.0
    assert s.p90_response_seconds == pytest.approx(4560.0)  # 40 + 0.6 * 60 minutes
    assert s.by_agent["ann"].canned_rate == 1.0
    assert s.by_agent["bob"].personal_data_in_public == 1
    assert s.by_agent["cat"].median_response_seconds == 6000.0
    assert s.by_channel["private"].pairs == 1
    assert s.by_channel["public"].complaints == 3
    assert s.intents["complaint"] == 4
    assert s.topics["delivery"] == 2
    json.loads(s.model_dump_json())  # plain JSON


def test_apology_codes_match_the_fake(fake):
    df = audit(_tiny(), engine=fake).to_frame()
    assert list(df["apology_missing"]) == [False, False, False, False, True]
    assert list(df["complaint"]) == [True, True, True, False, True]


def test_voice_of_the_customer_tables(fake):
    report = audit(_tiny(), engine=fake)
    complaints = report.top_complaints()
    assert list(complaints.columns) == ["topic", "complaints", "share", "examples"]
    top = complaints.iloc[0]
    assert (top["topic"], top["complaints"]) == ("delivery", 2)
    assert top["examples"] == ["My parcel never arrived", "Late delivery again"]
    assert complaints["complaints"].sum() == 4
    requests = audit(PAIRS, engine=fake).top_requests()
    assert requests.iloc[0]["topic"] == "none"


def test_no_timestamps_gives_none(fake):
    s = audit(PAIRS, engine=fake).summary()
    assert s.timed_pairs == 0
    assert s.median_response_seconds is None
    assert s.p90_response_seconds is None


def test_twitter_times_and_negative_gaps(fake):
    data = [
        {
            "message": "a",
            "reply": "b",
            "t0": "Tue Oct 31 22:10:46 +0000 2017",
            "t1": "Tue Oct 31 22:13:33 +0000 2017",
        },
        {"message": "c", "reply": "d", "t0": "2017-10-31T23:00:00", "t1": "2017-10-31T22:00:00"},
        {"message": "e", "reply": "f", "t0": "garbage", "t1": 1509487200},
    ]
    df = audit(data, engine=fake, message_time="t0", reply_time="t1").to_frame()
    assert df.loc[0, "response_seconds"] == 167.0
    assert pd.isna(df.loc[1, "response_seconds"])  # reply before message: not a time
    assert pd.isna(df.loc[2, "response_seconds"])


# ------------------------------------------------------------------------ repetition


def test_history_aware_repeats_raise_cannedness_and_explain(fake):
    reply = "Please follow us and send us a message so we can check this."
    corpus = [
        {"message": f"Where is order {i}?", "reply": f"@c{i} {reply}", "who": f"c{i}"}
        for i in range(6)
    ]
    corpus.append(
        {"message": "Where is my order?", "reply": "Let me chase the depot now, Ana.", "who": "ana"}
    )
    df = audit(corpus, engine=fake, customer="who").to_frame()
    assert list(df["repeats"]) == [5] * 6 + [0]
    assert list(df["repeat_customers"]) == [5] * 6 + [0]
    assert df.loc[0, "cannedness"] > df.loc[6, "cannedness"]
    assert "sent 5 other times to 5 other customers" in df.loc[0, "canned_reasons"]
    alone = audit(corpus[:1], engine=fake).to_frame()
    assert df.loc[0, "cannedness"] > alone.loc[0, "cannedness"]


def test_copies_to_the_same_customer_or_another_brand_do_not_count(fake):
    reply = "Please follow us and send us a message so we can check this."
    corpus = [
        {"message": "a", "reply": reply, "who": "x", "brand": "A"},
        {"message": "b", "reply": reply, "who": "x", "brand": "A"},
        {"message": "c", "reply": reply, "who": "y", "brand": "B"},
    ]
    df = audit(corpus, engine=fake, customer="who", brand="brand").to_frame()
    assert list(df["repeats"]) == [0, 0, 0]
    assert df.loc[0, "cluster"] == df.loc[1, "cluster"] == 0
    assert pd.isna(df.loc[2, "cluster"])


def test_signoff_names_the_agent(fake):
    df = audit(PAIRS, engine=fake).to_frame()
    assert list(df["agent"][:3].fillna("-")) == ["^JS", "-", "^AB"]


# ------------------------------------------------------------------------ clusters


def test_clusters_of_hand_written_near_duplicates(fake):
    replies = [
        "@sam_1 Sorry for the trouble! Please DM us order 4410 and we'll check. ^JS",
        "@kim_22 Sorry for the trouble! Please DM us order 55512 and we'll check. -AB",
        "@lee Sorry for the trouble! Please DM us order 7 and we'll check. "
        "https://help.example.com/x ~Kyle",
        "Hi Tom, I've refunded the £12 and added a note so it doesn't happen again.",
        "@zed Thanks for the photos: that's clearly damaged, a new one ships tomorrow.",
    ]
    report = audit([("msg", r) for r in replies], engine=fake)
    assert len(report.clusters) == 1
    c = report.clusters[0]
    assert (c.id, c.size, c.customers) == (0, 3, 3)
    assert c.variants == 2  # the link adds shingles: a variant, still a near-copy
    assert c.representative == replies[0]
    assert c.examples == [replies[2]]
    assert c.agents == {"^JS": 1, "^AB": 1, "^Kyle": 1}
    assert 0.5 <= c.similarity < 1.0
    assert c.share == 0.6
    assert list(report.to_frame()["cluster"].fillna(-1)) == [0, 0, 0, -1, -1]
    assert list(report.clusters_frame()["size"]) == [3]


# ------------------------------------------------------------------------ exports


def test_html_escapes_customer_text_and_embeds_charts(tmp_path, fake):
    data = [
        ("<script>alert('x')</script> my parcel never arrived", "@a " + CANNED + " <b>bold</b>")
    ] * 3 + list(PAIRS)
    report = audit(data, engine=fake, agent=None, channel="public")
    path = tmp_path / "report.html"
    page = report.to_html(path)
    assert path.read_text(encoding="utf-8") == page
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert "&lt;b&gt;bold&lt;/b&gt;" in page
    assert page.count("data:image/png;base64,") >= 2
    assert "http://" not in page
    assert "https://" not in page
    assert "<script>" not in report._repr_html_()


def test_csv_parquet_and_streamed_output(tmp_path, fake):
    report = audit(_tiny(), engine=fake, agent="agent")
    expected = report.to_frame()
    back = pd.read_csv(report.to_csv(tmp_path / "rows.csv"))
    assert list(back["reply"]) == list(expected["reply"])
    pytest.importorskip("pyarrow")
    pq = pd.read_parquet(report.to_parquet(tmp_path / "rows.parquet"))
    assert list(pq["cannedness"]) == list(expected["cannedness"])
    for name in ("stream.jsonl", "stream.csv"):
        streamed = audit(_tiny(), engine=fake, agent="agent", output=tmp_path / name)
        assert streamed.output == tmp_path / name
        assert streamed.summary() == report.summary()
        got = streamed.to_frame()
        assert list(got["reply"]) == list(expected["reply"])
        assert list(got["cannedness"]) == list(expected["cannedness"])
        assert list(got["cluster"]) == list(expected["cluster"])


def test_parquet_without_pyarrow(monkeypatch, tmp_path, fake):
    import sys

    monkeypatch.setitem(sys.modules, "pyarrow", None)
    with pytest.raises(MissingExtraError, match="pyarrow"):
        audit(PAIRS, engine=fake).to_parquet(tmp_path / "x.parquet")


def test_progress_bar_can_be_forced(fake, capsys):
    audit(PAIRS, engine=fake, progress=True)
    assert "Auditing replies" in capsys.readouterr().err
    audit(PAIRS, engine=fake, progress=False)
    assert capsys.readouterr().err == ""


# ------------------------------------------------------------------------ scale-out


def _corpus(n: int):
    templates = [
        CANNED,
        "Please follow us and send a DM with your order number.",
        "Thanks for reaching out! Your feedback is important to us.",
    ]
    return pd.DataFrame(
        [
            {
                "message": f"My parcel {i} never arrived" if i % 2 else f"Can you help with {i}?",
                "reply": (f"@u{i} " + templates[i % 3] + " ^JS")
                if i % 4
                else f"Sorry Kim, parcel {i} left the depot at {i % 12}pm, it's with you tomorrow.",
                "who": f"c{i % 17}",
                "brand": "A" if i % 5 else "B",
                "channel": "public" if i % 3 else "dm",
            }
            for i in range(n)
        ]
    )


def test_dask_gives_the_same_report_as_in_process(fake):
    dask = pytest.importorskip("dask")
    dd = pytest.importorskip("dask.dataframe")
    frame = _corpus(60)
    options = {"customer": "who", "brand": "brand", "channel": "channel"}
    local = audit(frame, engine=fake, **options)
    with dask.config.set(scheduler="sync"):
        distributed = audit(dd.from_pandas(frame, npartitions=4), engine=fake, **options)
    pd.testing.assert_frame_equal(distributed.to_frame(), local.to_frame())
    assert distributed.summary() == local.summary()
    assert distributed.clusters == local.clusters
    # The canned wordings cross partition boundaries (15 rows each) and are still one cluster.
    rows = local.to_frame().query("cluster == 0")["row"]
    assert len(rows) >= 10
    assert rows.min() < 15
    assert rows.max() >= 45


def test_dask_with_threads_and_default_scheduler(fake):
    dask = pytest.importorskip("dask")
    dd = pytest.importorskip("dask.dataframe")
    frame = _corpus(24)
    with dask.config.set(scheduler="threads"):
        threaded = audit(dd.from_pandas(frame, npartitions=3), engine=fake)
    pd.testing.assert_frame_equal(threaded.to_frame(), audit(frame, engine=fake).to_frame())


def test_workers_give_identical_results(fake):
    frame = _corpus(40)
    one = audit(frame, engine=fake, batch_size=8)
    two = audit(frame, engine=fake, batch_size=8, workers=2)
    pd.testing.assert_frame_equal(one.to_frame(), two.to_frame())


# ------------------------------------------------------------------------ properties


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(st.lists(st.tuples(st.text(max_size=80), st.text(max_size=80)), max_size=6))
def test_any_strings_give_a_valid_report(fake, pairs):
    report = audit(pairs, engine=fake)
    df = report.to_frame()
    assert len(df) == len(pairs)
    assert df["cannedness"].between(0, 1).all()
    json.loads(report.summary().model_dump_json())


# ------------------------------------------------------------------------ real engine


def test_real_engine_end_to_end(engine):
    corpus = [
        (f"My parcel {i} never arrived and nobody answers", f"@c{i} " + CANNED) for i in range(5)
    ]
    corpus.append(
        (
            "My parcel never arrived and nobody answers",
            "Sorry, Sam: three weeks is far too long. I've chased the depot and your "
            "parcel goes out on the first van tomorrow.",
        )
    )
    report = audit(corpus, engine=engine, channel="public")
    df = report.to_frame()
    assert list(df["repeats"]) == [4] * 5 + [0]
    assert (df["cannedness"][:5] > df.loc[5, "cannedness"]).all()
    alone = engine.reviewer.review("@c0 " + CANNED, message=corpus[0][0], repeats=0)
    assert df.loc[0, "cannedness"] > alone.cannedness.score
    assert "repetition" in df.loc[0, "canned_reasons"]
    assert report.summary().complaints >= 1


# ------------------------------------------------------------------------ bounded state


def test_max_wordings_not_reached_gives_identical_results(fake):
    frame = _corpus(60)
    options = {"customer": "who", "brand": "brand", "channel": "channel"}
    unbounded = audit(frame, engine=fake, max_wordings=None, **options)
    rows = unbounded.to_frame()
    wordings = rows["wording_id"].nunique()
    pairs = len(rows[["wording_id", "customer"]].drop_duplicates())
    # The smallest bound that is not reached: wordings <= bound, (wording, customer) <= 2 * bound.
    smallest = max(wordings, math.ceil(pairs / 2))
    assert smallest < len(frame)
    for bound in (smallest, 100_000):
        bounded = audit(frame, engine=fake, max_wordings=bound, **options)
        pd.testing.assert_frame_equal(bounded.to_frame(), unbounded.to_frame())
        assert bounded.summary() == unbounded.summary()
        assert bounded.clusters == unbounded.clusters


def test_small_max_wordings_keeps_the_canned_clusters(fake):
    frame = _corpus(200)  # 50 one-off replies, 150 pasted from three templates
    report = audit(frame, engine=fake, max_wordings=8, customer="who")
    full = audit(frame, engine=fake, max_wordings=None, customer="who")
    assert [c.size for c in report.clusters[:3]] == [c.size for c in full.clusters[:3]]
    assert report.summary().repeated <= full.summary().repeated


def test_max_wordings_must_be_positive(fake):
    with pytest.raises(ConfigError, match="max_wordings"):
        audit(PAIRS, engine=fake, max_wordings=0)
