from __future__ import annotations

import pytest

from alembic_lint.rules.graph import is_placeholder_id
from tests.builders import check, revision


def test_al101_fires_for_two_unlabeled_heads_naming_the_ancestor():
    found = check(
        "AL101",
        {
            "versions/a.py": revision("aaa111", None),
            "versions/b.py": revision("bbb222", "aaa111"),
            "versions/c.py": revision("ccc333", "aaa111"),
        },
    )
    assert [(d.path, d.revision) for d in found] == [
        ("versions/b.py", "bbb222"),
        ("versions/c.py", "ccc333"),
    ]
    assert found[0].message == (
        "multiple heads (unlabeled): `bbb222` competes with `ccc333` (versions/c.py); common ancestor `aaa111`"
    )
    assert "alembic-lint rebase" in (found[0].hint or "")


def test_al101_fires_for_two_heads_with_the_same_label():
    found = check(
        "AL101",
        {
            "versions/a.py": revision("aaa111", None, labels="('expand',)"),
            "versions/b.py": revision("bbb222", "aaa111"),
            "versions/c.py": revision("ccc333", "aaa111"),
        },
    )
    assert len(found) == 2 and "labeled `expand`" in found[0].message


@pytest.mark.parametrize(
    "sources",
    [
        pytest.param(
            {
                "versions/r.py": revision("root00", None),
                "versions/e.py": revision("exp001", "root00", labels="('expand',)"),
                "versions/c.py": revision("con001", "root00", labels="('contract',)"),
            },
            id="expand-contract",
        ),
        pytest.param(
            {
                "versions/a.py": revision("aaa111", None, labels="('core',)"),
                "versions/b.py": revision("bbb222", None, labels="('audit',)"),
            },
            id="labeled-bases",
        ),
        pytest.param(
            {
                "versions/a.py": revision("aaa111", None),
                "versions/b.py": revision("bbb222", "aaa111"),
                "versions/c.py": revision("ccc333", "aaa111"),
                "versions/m.py": revision(
                    "ddd444", ("bbb222", "ccc333"), upgrade="pass", downgrade="pass"
                ),
            },
            id="merged",
        ),
    ],
)
def test_al101_quiet(sources):
    assert check("AL101", sources) == []


def test_al102_fires_for_two_unlabeled_bases():
    found = check(
        "AL102",
        {"versions/a.py": revision("aaa111", None), "versions/b.py": revision("bbb222", None)},
    )
    assert [d.revision for d in found] == ["aaa111", "bbb222"]


def test_al102_quiet_for_labeled_bases():
    sources = {
        "versions/a.py": revision("aaa111", None, labels="('core',)"),
        "versions/b.py": revision("bbb222", None),
        "versions/c.py": revision("ccc333", "bbb222", labels="('audit',)"),
    }
    assert check("AL102", sources) == []


@pytest.mark.parametrize(
    ("down", "hint"),
    [
        pytest.param("aaa1", "did you mean `aaa111`?", id="prefix"),
        pytest.param("aaa111_add_users.py", "did you mean `aaa111`?", id="filename"),
        pytest.param(
            "fffeee", "commit the parent revision, or point at an existing one", id="unknown"
        ),
    ],
)
def test_al103_fires_with_hint(down, hint):
    found = check(
        "AL103",
        {"versions/a.py": revision("aaa111", None), "versions/b.py": revision("bbb222", down)},
    )
    assert [(d.revision, d.line, d.hint) for d in found] == [("bbb222", 15, hint)]


def test_al103_quiet():
    assert (
        check(
            "AL103",
            {
                "versions/a.py": revision("aaa111", None),
                "versions/b.py": revision("bbb222", "aaa111"),
            },
        )
        == []
    )


def test_al104_fires_and_stays_quiet():
    sources = {
        "versions/a.py": revision("aaa111", None, labels="('core',)"),
        "versions/b.py": revision("bbb222", None, labels="('x',)", depends_on="('core', 'aaa111')"),
    }
    assert check("AL104", sources) == []
    sources["versions/d.py"] = revision("ddd444", None, labels="('z',)", depends_on="''")
    assert check("AL104", sources) == []
    sources["versions/c.py"] = revision("ccc333", None, labels="('y',)", depends_on="'cor'")
    found = check("AL104", sources)
    assert [(d.revision, d.message) for d in found] == [
        ("ccc333", "`depends_on` names unknown revision or branch label `cor`")
    ]


def test_al105_fires_on_every_copy():
    found = check(
        "AL105",
        {"versions/a.py": revision("aaa111", None), "versions/b.py": revision("aaa111", None)},
    )
    assert [d.path for d in found] == ["versions/a.py", "versions/b.py"]
    assert found[1].message.endswith("(alembic uses this one)")


def test_al105_quiet():
    assert check("AL105", {"versions/a.py": revision("aaa111", None)}) == []


def test_al106_fires_for_cycles_and_self_loops():
    found = check(
        "AL106",
        {
            "versions/a.py": revision("aaa111", "bbb222"),
            "versions/b.py": revision("bbb222", "aaa111"),
            "versions/c.py": revision("ccc333", "ccc333"),
        },
    )
    assert [d.revision for d in found] == ["aaa111", "bbb222", "ccc333"]
    assert (
        found[0].message
        == "revision cycle: `aaa111` -> `bbb222` -> `aaa111` (following `down_revision`)"
    )
    assert found[2].message == "revision cycle: `ccc333` -> `ccc333` (following `down_revision`)"


def test_al106_follows_the_loop_not_the_sorted_order():
    found = check(
        "AL106",
        {
            "versions/a.py": revision("aaa111", "ccc333"),
            "versions/b.py": revision("bbb222", "aaa111"),
            "versions/c.py": revision("ccc333", "bbb222"),
            "versions/d.py": revision("ddd444", "ccc333"),
        },
    )
    assert [d.revision for d in found] == ["aaa111", "bbb222", "ccc333"]
    assert "`aaa111` -> `ccc333` -> `bbb222` -> `aaa111`" in found[0].message


def test_al106_quiet():
    assert check("AL106", {"versions/a.py": revision("aaa111", None)}) == []


@pytest.mark.parametrize(
    "rev",
    [
        "000000000000",
        "a1b2c3d4e5f6",
        "123456789abc",
        "abcdef123456",
        "deadbeefcafe",
        "abababababab",
        "fedcba987654",
        "ffffff",
        "abcabcabcabc",
        "12341234",
        "1b2c3d4e5f6g",
        "f8a9b0c1d2e3",  # digits 8, 9, 0, 1... and letters f, a, b... wrap around
        "c3d4e5f6a7b8",
        "e1f2a3b4c5d6",
        "890123456789",
        "a5b4c3d2e1f0",
        "3210fedcba98",
    ],
)
def test_placeholder_ids(rev):
    assert is_placeholder_id(rev)


@pytest.mark.parametrize(
    "rev",
    [
        "7c1e9d0b4a52",
        "a81b2c3d4e5f",
        "001_initial",
        "0001",
        "ae1027a6acf",
        "1975ea83b712",
        "abc1",
        "fab1c9d2e077",
        "8901ab44c2d1",
    ],
)
def test_real_ids_are_not_placeholders(rev):
    assert not is_placeholder_id(rev)


def test_al107_fires_and_stays_quiet():
    found = check(
        "AL107",
        {
            "versions/a.py": revision("a1b2c3d4e5f6", None),
            "versions/b.py": revision("7c1e9d0b4a52", "a1b2c3d4e5f6"),
        },
    )
    assert [d.revision for d in found] == ["a1b2c3d4e5f6"]


def test_al108_fires_and_stays_quiet():
    sources = {"versions/a.py": revision("aaa111", None, labels="('core',)")}
    assert check("AL108", sources) == []
    sources["versions/b.py"] = revision("bbb222", "aaa111", labels="('core',)")
    assert [d.revision for d in check("AL108", sources)] == ["aaa111", "bbb222"]


def test_al109_fires_on_merge_with_operations():
    sources = {
        "versions/a.py": revision("aaa111", None),
        "versions/b.py": revision("bbb222", "aaa111"),
        "versions/c.py": revision("ccc333", "aaa111"),
        "versions/m.py": revision("ddd444", ("bbb222", "ccc333")),
    }
    found = check("AL109", sources)
    assert [(d.revision, d.message) for d in found] == [
        ("ddd444", "merge revision has a non-empty `upgrade()`"),
        ("ddd444", "merge revision has a non-empty `downgrade()`"),
    ]
    sources["versions/m.py"] = revision(
        "ddd444", ("bbb222", "ccc333"), upgrade="pass", downgrade="pass"
    )
    assert check("AL109", sources) == []


def test_al110_fires_for_characters_alembic_refuses():
    sources = {
        "versions/a.py": revision("add-users+1", None),
        "versions/b.py": revision("b@x:y", "add-users+1"),
        "versions/c.py": revision("7c1e9d0b4a52_ok", "b@x:y"),
    }
    found = check("AL110", sources)
    assert [(d.path, d.message) for d in found] == [
        (
            "versions/a.py",
            "revision id `add-users+1` contains `+`, `-`, which Alembic does not allow in an id",
        ),
        (
            "versions/b.py",
            "revision id `b@x:y` contains `:`, `@`, which Alembic does not allow in an id",
        ),
    ]


def test_al110_quiet_for_ordinary_ids():
    assert check("AL110", {"versions/a.py": revision("7c1e9d0b4a52", None)}) == []
