"""AL9xx: dynamic checks, run by ``alembic-lint drift`` on a disposable database.

The records here carry the codes and the documentation (no check: ``DriftRule``); ``alembic_lint.drift`` produces the
findings, because they need a database, Alembic's runtime and the project's own env.py.
"""

from __future__ import annotations

from alembic_lint.rules import DriftRule

MODEL_DRIFT = """
    ## What it does
    Upgrades a fresh, disposable database from base to heads through the project's env.py, then
    runs Alembic's autogenerate comparison against the models (`target_metadata`). Reports each
    difference in words, e.g. `table "users": column "phone" is in the models but no migration
    creates it`.

    ## Why is this bad?
    A model change without a migration works in tests that build the schema from the models and
    fails in production, where only migrations run: "Did you forget to generate a migration?" is
    the second most common Alembic failure after multiple heads.

    ## Example
    ```python
    class User(Base):
        __tablename__ = "users"
        id = Column(Integer, primary_key=True)
        phone = Column(String(20))  # added, but no revision adds the column
    ```

    ## Use instead
    `alembic revision --autogenerate -m "add users.phone"`, review it, commit it.
    """


UPGRADE_FAILED = """
    ## What it does
    Reports the revision whose `upgrade()` fails while a fresh database is upgraded from base to
    heads, with the database's error.

    ## Why is this bad?
    Every new environment (a developer's machine, CI, a new tenant, disaster recovery) starts
    from an empty database. A history that only works on databases that were migrated step by
    step over time cannot rebuild one.

    ## Example
    ```python
    def upgrade() -> None:
        op.add_column("user", sa.Column("email", sa.String()))  # the table is "users"
    ```

    ## Use instead
    ```python
    def upgrade() -> None:
        op.add_column("users", sa.Column("email", sa.String()))
    ```
    """


DOWNGRADE_FAILED = """
    ## What it does
    With `--roundtrip`: reports a revision whose `downgrade()` fails right after its
    `upgrade()` on a fresh database.

    ## Why is this bad?
    A downgrade is needed at the worst moment, during a failed deploy; that is when an untested
    one breaks.

    ## Example
    ```python
    def downgrade() -> None:
        op.drop_column("users", "emial")
    ```

    ## Use instead
    ```python
    def downgrade() -> None:
        op.drop_column("users", "email")
    ```
    """


ROUNDTRIP_MISMATCH = """
    ## What it does
    With `--roundtrip`: upgrades to each revision, downgrades one step and compares the
    reflected schema with the one before the upgrade. Reports what the downgrade left behind or
    removed.

    ## Why is this bad?
    A downgrade that leaves a trace makes the next upgrade fail on an object that already
    exists, or leaves the database in a state that no revision describes.

    ## Example
    ```python
    def upgrade() -> None:
        op.add_column("users", sa.Column("email", sa.String()))
        op.create_index("ix_users_email", "users", ["email"])


    def downgrade() -> None:
        op.drop_index("ix_users_email", table_name="users")
    ```

    ## Use instead
    ```python
    def downgrade() -> None:
        op.drop_index("ix_users_email", table_name="users")
        op.drop_column("users", "email")
    ```
    """


ENVIRONMENT_ERROR = """
    ## What it does
    Reports an env.py that cannot run against the disposable database: it fails, it never hands
    autogenerate a `target_metadata`, or it tries to connect to another database (the connection
    guard stops that before the connection opens).

    ## Why is this bad?
    Drift can only compare what env.py exposes, and it must never touch a real database.
    Flask-Migrate's env.py, for example, ignores the URL it is given and connects to the
    application's configured database.

    ## Example
    ```python
    connectable = create_engine(os.environ["DATABASE_URL"])  # in env.py
    ```

    ## Use instead
    ```python
    connectable = config.attributes.get("connection") or engine_from_config(
        config.get_section(config.config_ini_section), prefix="sqlalchemy."
    )
    ```
    or set `target-metadata = "myapp.models:Base.metadata"` in `[tool.alembic-lint]`, and drift
    runs the migrations without env.py.

    ## Options
    - `target-metadata`: `package.module:attribute` of the models' `MetaData`.
    """


RULES = (
    DriftRule("AL901", "model-drift", True, MODEL_DRIFT),
    DriftRule("AL902", "upgrade-failed", True, UPGRADE_FAILED),
    DriftRule("AL903", "downgrade-failed", True, DOWNGRADE_FAILED),
    DriftRule("AL904", "roundtrip-mismatch", True, ROUNDTRIP_MISMATCH),
    DriftRule("AL905", "environment-error", True, ENVIRONMENT_ERROR),
)
