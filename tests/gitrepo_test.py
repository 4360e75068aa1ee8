from __future__ import annotations

import os

import pytest

from alembic_lint import gitrepo
from tests.gitutil import add_revision, commit, git, new_project


@pytest.fixture
def repo(tmp_path):
    return new_project(tmp_path / "repo")


def tree_of(path):
    tree = gitrepo.worktree(str(path))
    assert tree is not None
    return tree


def versions(repo):
    return [str(repo / "migrations" / "versions")]


def test_outside_a_work_tree(tmp_path):
    assert gitrepo.worktree(str(tmp_path)) is None
    (tmp_path / ".git").write_text("gitdir: /nowhere\n")  # looks like one, git says no
    assert gitrepo.worktree(str(tmp_path)) is None


def test_without_a_git_program(repo, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    assert gitrepo.worktree(str(repo)) is None


def test_git_dir_is_honoured(repo, tmp_path, monkeypatch):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert gitrepo.worktree(str(elsewhere)) is None
    monkeypatch.setenv("GIT_DIR", str(repo / ".git"))
    monkeypatch.setenv("GIT_WORK_TREE", str(repo))
    tree = gitrepo.worktree(str(elsewhere))
    assert tree is not None and tree.root == os.path.realpath(repo)


def test_index_and_trees(repo):
    tree = tree_of(repo / "migrations")
    assert tree.root == os.path.realpath(repo)
    base = repo / "migrations" / "versions" / "7c1e9d0b4a52_step.py"
    new = add_revision(repo, "5d2e8a41c07f", "7c1e9d0b4a52")
    assert gitrepo.indexed(tree, versions(repo)) == {str(base)}
    git(repo, "add", str(new))
    assert gitrepo.indexed(tree, versions(repo)) == {str(base), str(new)}
    assert gitrepo.indexed(tree, [str(repo.parent)]) == set()  # outside the work tree
    head = gitrepo.resolve(tree, "HEAD")
    files = gitrepo.files_at(tree, head, versions(repo))
    assert list(files) == [str(base)]
    base.write_text(base.read_text() + "# edited\n")
    assert gitrepo.changed_since(tree, head, versions(repo)) == {str(base): "M", str(new): "A"}
    blobs = gitrepo.read_blobs(tree, [files[str(base)], "0" * 40])
    assert blobs[files[str(base)]].startswith(b'"""create users')
    assert "0" * 40 not in blobs
    assert gitrepo.read_blobs(tree, []) == {}
    assert gitrepo.files_at(tree, head, []) == {}
    assert gitrepo.changed_since(tree, head, []) == {}


def test_missing_base_ref_says_how_to_fetch(repo):
    tree = tree_of(repo)
    with pytest.raises(
        gitrepo.GitError,
        match=r"`origin/main` not found: it does not exist here; fetch it with `git fetch origin main:refs/remotes/origin/main`",
    ):
        gitrepo.resolve(tree, "origin/main")
    with pytest.raises(gitrepo.GitError, match="`git fetch origin develop`"):
        gitrepo.resolve(tree, "develop")


def test_shallow_clone(repo, tmp_path):
    add_revision(repo, "5d2e8a41c07f", "7c1e9d0b4a52")
    commit(repo, "second")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth=1", "--no-single-branch", f"file://{repo}", str(clone))
    tree = tree_of(clone)
    with pytest.raises(gitrepo.GitError, match="shallow"):
        gitrepo.resolve(tree, "origin/feature")
    git(repo, "checkout", "-q", "-b", "other", "HEAD~1")
    add_revision(repo, "e41f7b20c9d3", "7c1e9d0b4a52")
    commit(repo, "other")
    git(clone, "fetch", "-q", "--depth=1", "origin", "other:refs/remotes/origin/other")
    with pytest.raises(gitrepo.GitError, match="--deepen"):
        gitrepo.merge_base(tree, gitrepo.resolve(tree, "origin/other"))


def test_git_failures_are_errors(repo, tmp_path):
    tree = tree_of(repo)
    with pytest.raises(gitrepo.GitError, match="ls-tree"):
        gitrepo.files_at(tree, "0" * 40, versions(repo))
    with pytest.raises(gitrepo.GitError, match="diff"):
        gitrepo.changed_since(tree, "0" * 40, versions(repo))
    plain = tmp_path / "plain"
    (plain / "sub").mkdir(parents=True)
    broken = gitrepo.Worktree(str(plain))
    with pytest.raises(gitrepo.GitError, match="ls-files"):
        gitrepo.indexed(broken, [str(plain / "sub")])
    with pytest.raises(gitrepo.GitError, match="cat-file"):
        gitrepo.read_blobs(broken, ["abc"])


def test_default_base(repo, tmp_path):
    tree = tree_of(repo)
    assert gitrepo.default_base(tree) == "main"
    git(repo, "branch", "-m", "main", "trunk")
    assert gitrepo.default_base(tree) is None
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", f"file://{repo}", str(clone))
    assert gitrepo.default_base(tree_of(clone)) == "origin/trunk"


def test_guess_base_prefers_origin_head_then_the_usual_names(tmp_path):
    from alembic_lint import gitrepo
    from tests.gitutil import git, new_project

    repo = new_project(tmp_path / "repo")
    tree = gitrepo.worktree(str(repo))
    assert tree is not None
    assert gitrepo.guess_base(tree) == "main"
    git(repo, "update-ref", "refs/remotes/origin/develop", "HEAD")
    git(repo, "symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/develop")
    assert gitrepo.guess_base(tree) == "origin/develop"
    git(repo, "symbolic-ref", "--delete", "refs/remotes/origin/HEAD")
    git(repo, "update-ref", "refs/remotes/origin/master", "HEAD")
    assert gitrepo.guess_base(tree) == "origin/master"
    git(repo, "update-ref", "-d", "refs/remotes/origin/master")
    git(repo, "branch", "-m", "main", "trunk")
    assert gitrepo.guess_base(tree) is None
