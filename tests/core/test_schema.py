"""Schema: idempotent init with a recorded version; every tenant table links to its client."""
import sqlalchemy as sa

from core import schema


def test_init_twice_keeps_one_version_row(engine):
    assert schema.init(engine) == schema.SCHEMA_VERSION
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(schema.schema_version)).scalar() == 1
        assert schema.current_version(conn) == schema.SCHEMA_VERSION
        assert conn.execute(sa.select(sa.func.count()).select_from(schema.portal_settings)).scalar() == 1


def test_every_tenant_table_has_a_not_null_client_link():
    for table in schema.TENANT_TABLES:
        column = table.c.client_id
        assert not column.nullable, table.name
        assert any(fk.column.table is schema.clients for fk in column.foreign_keys), table.name


def test_every_domain_table_exists_after_init(engine):
    names = set(sa.inspect(engine).get_table_names())
    assert set(schema.metadata.tables) <= names


def test_member_accounts_need_a_client(engine):
    import pytest

    from core.db import utcnow

    with pytest.raises(sa.exc.DBAPIError):
        with engine.begin() as conn:
            conn.execute(schema.accounts.insert().values(
                email="x@example.com", role="member", client_id=None, first_name="X", last_name="Y",
                created_at=utcnow()))
