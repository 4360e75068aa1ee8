from __future__ import annotations

from tests.builders import check, revision

GOOD = revision("7c1e9d0b4a52", None)


def test_al001_fires_with_parser_position():
    found = check("AL001", {"versions/bad.py": "def upgrade(:\n    pass\n", "versions/ok.py": GOOD})
    assert [(d.path, d.line, d.code) for d in found] == [("versions/bad.py", 1, "AL001")]
    assert found[0].message.startswith("cannot parse: ")


def test_al001_quiet_on_valid_files():
    assert check("AL001", {"versions/ok.py": GOOD}) == []


def test_al002_fires_per_non_literal_name():
    src = "revision = make()\ndown_revision = PREVIOUS\ndepends_on = [X]\n"
    found = check("AL002", {"versions/x.py": src})
    assert [(d.line, d.message.split("`")[1]) for d in found] == [
        (1, "revision"),
        (2, "down_revision"),
        (3, "depends_on"),
    ]


def test_al002_quiet_on_literals_and_non_literal_labels():
    src = revision("7c1e9d0b4a52", None, labels="(cli.EXPAND_BRANCH,)")
    assert check("AL002", {"versions/x.py": src}) == []


def test_al003_fires_on_helper_module():
    found = check(
        "AL003", {"versions/helpers.py": "def helper():\n    pass\n", "versions/a.py": GOOD}
    )
    assert [d.path for d in found] == ["versions/helpers.py"]


def test_al003_quiet_on_revisions_legacy_names_and_non_literal_ids():
    assert check("AL003", {"versions/3f9a1c.py": "down_revision = None\n"}) == []
    assert check("AL003", {"versions/x.py": "revision = make()\n"}) == []


def test_al004_fires_on_malformed_and_unknown():
    src = GOOD + "x = 1  # alembic-lint: noqa AL201\ny = 2  # alembic-lint: noqa: AL999, AL201\n"
    found = check("AL004", {"versions/x.py": src})
    assert [(d.line, d.message) for d in found] == [
        (26, "malformed directive `# alembic-lint: noqa AL201`"),
        (27, "unknown code `AL999` in noqa comment"),
    ]


def test_al004_quiet_on_valid_directives():
    src = GOOD + "x = 1  # alembic-lint: noqa: AL201\n# alembic-lint: noqa\n"
    assert check("AL004", {"versions/x.py": src}) == []
