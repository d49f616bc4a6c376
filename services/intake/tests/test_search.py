"""The registers' search led by its rarest word (intake.search): the same rows as the phrase alone."""

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from intake import search
from intake.petition.models import Petition
from intake.text import fold
from intake.visit.models import Visit

SAMPLE = search.ColumnSample(
    null_frac=0.0,
    common=(("khieu nai dat dai, ho so 1", 0.5),),
    histogram=("de nghi cap so do, ho so 17", "khieu nai dat dai, ho so 4242", "to cao can bo xa", "ho so 9"),
)

CONTENTS = [
    "Khiếu nại việc bồi thường đất đai, hồ sơ 4242",
    "Khiếu nại việc bồi thường đất đai, hồ sơ 42420",
    "Khiếu nại việc bồi thường đất đai, hồ sơ 14242",
    "Khiếu nại việc bồi thường đất đai, hồ sơ 424",
    "Đề nghị cho số nhà 4242 ở ấp Hòa Tú",
    "Kiến nghị về giấy chứng nhận 12/2024, thửa đất số 50%_x",
    "Phản ánh tiếng ồn của cơ sở xay xát ban đêm",
]
QUERIES = [
    "hồ sơ 4242",
    "ho so 424",
    "cho so",
    "HO SO",
    "4242",
    "so 4242",
    "12/2024",
    "50%_x",
    "dat so 50",
    "dat dai ho so 4242",
    "khong co ai",
    "ba",
    "xay xat ban dem",
    "nha 4242 o ap",
]


def test_a_words_share_is_estimated_as_postgresql_estimates_a_like():
    assert SAMPLE.share("dat") == 0.5 + 0.5 * 1 / 4
    assert SAMPLE.share("4242") == 0.5 * 1 / 4
    assert SAMPLE.share("nowhere") == 0.0


def test_the_lead_is_the_rarest_word_of_three_or_more_letters_the_longest_among_equals():
    assert search.lead_word("ho so 4242", SAMPLE) == "4242"
    assert search.lead_word("dat dai can bo xa", SAMPLE) == "can"  # "bo", "xa": no trigram inside '%..%'
    assert search.lead_word("tranh chap ranh gioi", SAMPLE) == "tranh"
    assert search.lead_word("so 12/2024", SAMPLE) == "2024"
    assert search.lead_word("ho so", SAMPLE) is None
    assert search.lead_word("ho so 4242", None) is None


def _condition_sql(app, query):
    db = app.extensions["tiepdan"]["db"]
    with Session(db.engine) as session:
        condition = search.condition(session, Visit.search_text, query)
        return str(condition.compile(db.engine, compile_kwargs={"literal_binds": True}))


@pytest.fixture
def analyzed(app, client, board, visit_body):
    """The visits above recorded, PostgreSQL's statistics of them taken and read afresh."""
    ids = {}
    for content in CONTENTS:
        resp = client.post("/visits", json=visit_body(content=content), headers=board)
        assert resp.status_code == 201, resp.json
        ids[resp.json["id"]] = fold(content)
    db = app.extensions["tiepdan"]["db"]
    if db.is_postgresql:
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("ANALYZE visits"))
    search._cache.clear()
    yield ids
    search._cache.clear()


def test_a_search_finds_exactly_the_visits_whose_text_holds_the_phrase(app, client, board, analyzed):
    led = 0
    for query in QUERIES:
        expected = sorted(vid for vid, text in analyzed.items() if fold(query) in text)
        found = []
        cursor = None
        while True:
            page = client.get(
                "/visits",
                headers=board,
                query_string={"q": query, "limit": 2, **({"cursor": cursor} if cursor else {})},
            )
            assert page.status_code == 200, page.json
            found += [v["id"] for v in page.json["items"]]
            cursor = page.json["next_cursor"]
            if not cursor:
                break
        assert sorted(found) == expected, query
        led += "strpos" in _condition_sql(app, query)
    # On PostgreSQL, with statistics, the phrases of several words with a word of three letters are led by it.
    assert led == (10 if app.extensions["tiepdan"]["db"].is_postgresql else 0)


def test_the_trigram_index_is_asked_for_the_lead_word_only(app, analyzed):
    db = app.extensions["tiepdan"]["db"]
    if not db.is_postgresql:
        pytest.skip("the trigram index is PostgreSQL's")
    with Session(db.engine) as session:
        session.execute(sa.text("SET LOCAL enable_seqscan = off"))
        stmt = sa.select(Visit.id).where(search.condition(session, Visit.search_text, "Hồ sơ 4242"))
        plan = "\n".join(
            session.execute(
                sa.text(
                    "EXPLAIN " + str(stmt.compile(db.engine, compile_kwargs={"literal_binds": True})).replace("%%", "%")
                )
            ).scalars()
        )
    assert "ix_visits_search_trgm" in plan, plan
    index_cond = next(line for line in plan.splitlines() if "Index Cond" in line)
    assert "'%4242%'" in index_cond and "ho so" not in index_cond, plan
    assert "strpos(search_text, 'ho so 4242'::text) > 0" in plan, plan


def test_without_statistics_the_phrase_alone_is_the_condition(app, client, board, visit_body):
    db = app.extensions["tiepdan"]["db"]
    search._cache.clear()
    if db.is_postgresql:
        with db.engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM pg_statistic WHERE starelid = 'petitions'::regclass"))
    with Session(db.engine) as session:
        condition = search.condition(session, Petition.search_text, "hồ sơ 4242")
        assert str(condition.compile(db.engine, compile_kwargs={"literal_binds": True})) == (
            "petitions.search_text LIKE '%%ho so 4242%%' ESCAPE '\\'"
            if db.is_postgresql
            else "petitions.search_text LIKE '%ho so 4242%' ESCAPE '\\'"
        )
    search._cache.clear()
