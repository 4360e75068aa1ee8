from __future__ import annotations

import re

import pytest

from alembic_lint.config import Settings
from alembic_lint.diagnostics import UsageError
from alembic_lint.rules import Context
from alembic_lint.rules.naming import carries_revision, filename_mismatch
from tests.builders import PROJECT, check, history, parse, revision

REV = "7c1e9d0b4a52"


DEFAULT = Settings()


def msg(code, message, settings=DEFAULT):
    return check(
        code, {f"versions/{REV}_x.py": revision(REV, None, message=message)}, settings=settings
    )


@pytest.mark.parametrize(
    "message",
    [
        "vXXX",
        "vxxx",
        "VXXX add users",
        "XXX",
        "v42 XXX",
        "empty message",
        "WIP",
        "todo.",
        "Update",
        "",
        "  migration  ",
    ],
)
def test_al301_fires(message):
    found = msg("AL301", message)
    assert [d.code for d in found] == ["AL301"]
    assert found[0].line == 1


@pytest.mark.parametrize(
    "message", ["v042 add users.email", "add vxlan ports", "update users set active", "xxl sizes"]
)
def test_al301_quiet(message):
    assert msg("AL301", message) == []


def test_al301_list_is_configurable():
    settings = Settings(placeholder_messages=frozenset({"changes"}))
    assert msg("AL301", "wip", settings) == []
    assert [d.code for d in msg("AL301", "Changes", settings)] == ["AL301"]


def test_al302():
    settings = Settings(message_pattern=re.compile(r"^[A-Z]+-\d+: "))
    assert [d.code for d in msg("AL302", "add users", settings)] == ["AL302"]
    assert msg("AL302", "DATA-42: add users", settings) == []


def numbered(*spec):
    return {f"versions/{rev}_x.py": revision(rev, down, message=m) for rev, down, m in spec}


def test_al303_fires_for_skips_and_duplicates():
    found = check(
        "AL303",
        numbered(
            ("aaa111", None, "v001 init"),
            ("bbb222", "aaa111", "v002 users"),
            ("ccc333", "bbb222", "v004 orders"),
            ("ddd444", "bbb222", "v004 again"),
        ),
    )
    assert [(d.revision, d.message) for d in found] == [
        ("ccc333", "version number `004` does not follow its parent's `002`; expected `003`"),
        ("ccc333", "version number `004` is also used by `ddd444`"),
        ("ddd444", "version number `004` does not follow its parent's `002`; expected `003`"),
        ("ddd444", "version number `004` is also used by `ccc333`"),
    ]


def test_al303_quiet_for_sequences_merges_and_unnumbered_projects():
    assert (
        check(
            "AL303",
            numbered(
                ("aaa111", None, "v001 init"),
                ("bbb222", "aaa111", "v002 users"),
                ("ccc333", "bbb222", "V003: orders"),
            ),
        )
        == []
    )
    branched = numbered(
        ("aaa111", None, "v001 init"),
        ("bbb222", "aaa111", "v002 users"),
        ("ccc333", "aaa111", "v003 orders"),
        ("ddd444", ("bbb222", "ccc333"), "v004 merge"),
    )
    assert [d.revision for d in check("AL303", branched)] == [
        "ccc333"
    ]  # the merge follows its highest parent
    assert (
        check(
            "AL303",
            numbered(
                ("aaa111", None, "init"),
                ("bbb222", "aaa111", "v7 users"),
                ("ccc333", "bbb222", "orders"),
            ),
        )
        == []
    )


def test_al304_fires_and_stays_quiet():
    src = (
        revision(REV, "a81b2c3d4e5f")
        .replace("Revises: a81b2c3d4e5f", "Revises: f00dbabe1234")
        .replace(f"Revision ID: {REV}", "Revision ID: 111111111111")
    )
    found = check("AL304", {"versions/x.py": src})
    assert [(d.line, d.message) for d in found] == [
        (3, f"docstring says `Revision ID: 111111111111` but `revision` is `{REV}`"),
        (4, "docstring says `Revises: f00dbabe1234` but `down_revision` is `a81b2c3d4e5f`"),
    ]
    assert check("AL304", {"versions/x.py": revision(REV, ("aaa", "bbb"))}) == []
    for spelled in ("('aaa', 'bbb')", "['bbb', 'aaa']", "'aaa', \"bbb\""):
        old_template = revision(REV, ("aaa", "bbb")).replace(
            "Revises: aaa, bbb", f"Revises: {spelled}"
        )
        assert check("AL304", {"versions/x.py": old_template}) == [], spelled
    base = revision(REV, None).replace("Revises: \n", "Revises: None\n")
    assert "Revises: None" in base
    assert check("AL304", {"versions/x.py": base}) == []
    assert check("AL304", {"versions/x.py": revision(REV, None)}) == []
    for spelled in ("(none)", "None", "none", ""):
        base = revision(REV, None).replace("Revises: \n", f"Revises: {spelled}\n")
        assert check("AL304", {"versions/x.py": base}) == [], spelled


def test_al305_fires_and_stays_quiet():
    found = check("AL305", {"versions/1f2e3d4c5b6a_add_users.py": revision(REV, None)})
    assert [d.code for d in found] == ["AL305"]
    assert check("AL305", {f"versions/{REV}_add_users.py": revision(REV, None)}) == []


@pytest.mark.parametrize(
    ("name", "template", "ok"),
    [
        ("abc_add_users", "%(rev)s_%(slug)s", True),
        ("abc_", "%(rev)s_%(slug)s", True),
        ("abc", "%(rev)s_%(slug)s", True),
        ("x_abc_add", "%(rev)s_%(slug)s", False),
        ("2024_05_abc_add", "%%(year)d_%%(month).2d_%(rev)s_%(slug)s".replace("%%(", "%("), True),
        ("2024/05/abc_add", "%(year)d/%(month).2d/%(rev)s_%(slug)s", True),
        ("1714564800_abc", "%(epoch)s_%(rev)s", True),
        ("anything", "%(slug)s", True),
        ("abc_abc_x", "%(rev)s_%(slug)s", True),
    ],
)
def test_carries_revision(name, template, ok):
    assert carries_revision(name, template, "abc") is ok


def test_al305_uses_the_project_template():
    project = PROJECT._replace(file_template="%(year)d_%(rev)s")
    assert check("AL305", {f"versions/2024_{REV}.py": revision(REV, None)}, project=project) == []
    assert (
        len(check("AL305", {f"versions/2024-{REV}.py": revision(REV, None)}, project=project)) == 1
    )


def test_al305_literal_percent_and_non_literal_ids():
    assert carries_revision("100%_abc", "100%%_%(rev)s", "abc")
    assert not carries_revision("100_abc", "100%%_%(rev)s", "abc")
    no_id = parse("revision = make()\n", "versions/x.py")
    _, graph = history({})
    ctx = Context(graph, Settings(), PROJECT, {"versions/x.py": "x"}, frozenset())
    assert list(filename_mismatch(no_id, ctx)) == []


@pytest.mark.parametrize(
    ("name", "ok"),
    [
        (f"2024_05_01_1200-{REV}_add_users", True),  # the configured template
        (f"{REV}_add_users", True),  # the default template, before the project changed it
        (f"2024_05_01_1200_{REV}_add_users", False),
        (f"add_users_{REV}", False),
    ],
)
def test_al305_accepts_names_of_earlier_templates(name, ok):
    template = "%(year)d_%(month).2d_%(day).2d_%(hour).2d%(minute).2d-%(rev)s_%(slug)s"
    project = PROJECT._replace(file_template=template)
    found = check("AL305", {f"versions/{name}.py": revision(REV, None)}, project=project)
    assert (found == []) is ok
    if not ok:
        assert found[0].hint == (
            f"rename the file to match, e.g. `<year>_<month>_<day>_<hour><minute>-{REV}_<slug>.py`"
        )


def test_al305_accepts_a_missing_date_part():
    project = PROJECT._replace(file_template="%(epoch)s-%(rev)s-%(slug)s")
    assert check("AL305", {f"versions/{REV}-add.py": revision(REV, None)}, project=project) == []
    found = check("AL305", {f"versions/x_{REV}-add.py": revision(REV, None)}, project=project)
    assert [d.hint for d in found] == [f"rename the file to match, e.g. `<epoch>-{REV}-<slug>.py`"]
    percent = PROJECT._replace(file_template="100%%_%(rev)s")
    found = check("AL305", {f"versions/1_{REV}.py": revision(REV, None)}, project=percent)
    assert [d.hint for d in found] == [f"rename the file to match, e.g. `100%_{REV}.py`"]


def test_al303_huge_numbers_are_not_versions():
    """`int()` refuses more than 4,300 digits: such a "number" is not counted, never a crash."""
    sources = numbered(
        ("aaa111", None, "v001 init"),
        ("bbb222", "aaa111", "v" + "9" * 4300 + " users"),
        ("ccc333", "bbb222", "v003 orders"),
    )
    assert check("AL303", sources) == []


def test_al303_a_group_that_is_not_digits_is_a_config_error():
    settings = Settings(version_pattern=re.compile(r"^(\w+) "))
    sources = numbered(("aaa111", None, "v001 init"), ("bbb222", "aaa111", "v002 users"))
    with pytest.raises(UsageError, match=r"its first group matched `v001`, which is not a number"):
        check("AL303", sources, settings=settings)
    optional = Settings(version_pattern=re.compile(r"^v(\d+)?"))
    assert check("AL303", numbered(("aaa111", None, "vx")), settings=optional) == []
