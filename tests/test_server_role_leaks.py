"""Adversarial checks of the server's roles (issue 14, item 2): what a login could still learn
or change by plain SQL beyond the policies of test_server_roles.py, each closed by the schema
or the SQL of `mhtool server rollen`.

The world is test_server_roles.py's `sql_world`: a Texel signal (id 1) and a Koggenland signal
(id 2), each with a person and an address of the same id, written by the owner; an officer and
a reader of Koggenland and the region log in with their own roles.
"""

from __future__ import annotations

import psycopg
import pytest

from tests import test_server_roles
from tests.test_server_roles import OFFICER, READER, REGION, World

# That module's fixture, used here as it is.
sql_world = test_server_roles.sql_world

pytestmark = pytest.mark.slow


def _refused(world: World, role: str, sql: str) -> bool:
    try:
        world.as_role(role, sql)
    except psycopg.errors.InsufficientPrivilege:
        return True
    return False


@pytest.mark.parametrize("role", [OFFICER, READER])
def test_the_use_count_of_a_search_term_does_not_tell_whether_another_gemeente_has_a_name(
    sql_world: World, role: str
) -> None:
    """search_term.n counts the keys of every gemeente: an officer who adds a person named like
    a Texel person (and rolls back) would read 2 instead of 1. Only kind and term are readable."""
    w = sql_world
    assert _refused(w, role, "SELECT n FROM search_term")
    assert _refused(w, role, "SELECT * FROM search_term")
    terms = {str(t) for (t,) in w.as_role(role, "SELECT term FROM search_term")}
    assert "wit" in terms and "zwanenburg" not in terms
    if role == OFFICER:
        with psycopg.connect(w.url(OFFICER)) as conn:
            conn.execute(
                "INSERT INTO person (name, name_key, created_at, surname_key) "
                "VALUES ('B. Zwanenburg', 'b zwanenburg', 'x', 'zwanenburg')"
            )
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute("SELECT n FROM search_term WHERE term = 'zwanenburg'")
            conn.rollback()


@pytest.mark.parametrize("role", [OFFICER, READER, REGION])
def test_no_role_runs_the_statistics_refresh_or_draws_audit_ids_itself(
    sql_world: World, role: str
) -> None:
    """signal_group_refresh() is the triggers' SECURITY DEFINER helper (it rewrites the figures
    of any signal as the owner); nextval() on the audit counter would leave gaps that look like
    deleted audit entries. The last id stays readable for `audit controleer`."""
    w = sql_world
    before = w.rows("SELECT * FROM signal_group ORDER BY 1, 2, 3, 4, 5, 6, 7, 8")
    assert _refused(w, role, "SELECT signal_group_refresh(ARRAY[1, 2]::bigint[])")
    last = w.rows("SELECT last_value, is_called FROM audit_log_id_seq")
    assert _refused(w, role, "SELECT nextval('audit_log_id_seq')")
    assert w.rows("SELECT last_value, is_called FROM audit_log_id_seq") == last
    assert w.rows("SELECT * FROM signal_group ORDER BY 1, 2, 3, 4, 5, 6, 7, 8") == before
    assert w.as_role(role, "SELECT last_value FROM audit_log_id_seq") == [(last[0][0],)]


@pytest.mark.parametrize("role", [OFFICER, READER, REGION])
def test_an_audit_entry_carries_the_login_name_of_whoever_appends_it(
    sql_world: World, role: str
) -> None:
    """Every role appends to the audit log; none may append in another's name."""
    w = sql_world
    entries = w.rows("SELECT count(*) FROM audit_log")
    forged = (
        "INSERT INTO audit_log (at, by_user, action, object_type, object_id, result, details, "
        "prev_hash, hash) VALUES ('2026-11-02T10:00:00+00:00', 't.texel', 'signaal.nieuw', "
        "'signaal', 'MH-2026-0001', 'gelukt', '{}', 'x', 'y')"
    )
    assert _refused(w, role, forged)
    assert w.rows("SELECT count(*) FROM audit_log") == entries


def test_an_officer_writes_history_and_notes_only_under_their_own_name(sql_world: World) -> None:
    """Who wrote a history row or a note is shown to colleagues (`signaal toon`, `persoon
    toon`); by SQL an officer could otherwise write one in a Texel officer's name."""
    w = sql_world
    assert _refused(
        w,
        OFFICER,
        "INSERT INTO note (signal_id, on_date, by_user, text, created_at) "
        "VALUES (2, '2026-11-03', 't.texel', 'Ik was het niet', 'x')",
    )
    assert w.rows("SELECT count(*) FROM note") == [(0,)]
    assert _refused(
        w,
        OFFICER,
        "INSERT INTO history (at, by_user, signal_id, entity, entity_id, action, changes) "
        "VALUES ('2026-11-02T10:00:00+00:00', 't.texel', 2, 'signal', 2, 'update', '{}')",
    )
    assert w.rows("SELECT count(*) FROM history WHERE by_user = 't.texel'") == [(0,)]
    own = (
        "INSERT INTO history (at, by_user, signal_id, entity, entity_id, action, changes) "  # noqa: S608 - fixed names
        f"VALUES ('2026-11-02T10:00:00+00:00', '{OFFICER}', 2, 'signal', 2, 'update', '{{}}')"
    )
    w.as_role(OFFICER, own)
    assert w.rows("SELECT count(*) FROM history WHERE by_user = ?", (OFFICER,)) == [(1,)]


def test_an_officer_cannot_delete_a_person_that_a_texel_signal_also_names(
    sql_world: World,
) -> None:
    """The Koggenland person (2) and address (2) also appear in the Texel signal (as after
    moving a regional file onto the server). The officer sees them through their own signal,
    but deleting them would remove them from the Texel case too (the foreign key cascades past
    row-level security)."""
    w = sql_world
    # Corrections stay allowed (their history row shows them to everyone who sees the person).
    assert w.as_role(OFFICER, "UPDATE person SET nationality = 'NL' WHERE id = 2 RETURNING id") == [
        (2,)
    ]
    with w.cluster.connect(w.dbname) as conn:
        conn.execute("INSERT INTO signal_person VALUES (1, 2, 'betrokkene')")
        conn.execute("INSERT INTO signal_address VALUES (1, 2)")
    before = [
        w.rows("SELECT * FROM person ORDER BY id"),
        w.rows("SELECT * FROM address ORDER BY id"),
        w.rows("SELECT * FROM signal_person ORDER BY 1, 2"),
        w.rows("SELECT * FROM signal_address ORDER BY 1, 2"),
    ]
    assert w.as_role(OFFICER, "SELECT id FROM person") == [(2,)]
    # A delete finds nothing to delete (`persoon verwijder` says why before it tries).
    assert w.as_role(OFFICER, "DELETE FROM person WHERE id = 2 RETURNING id") == []
    assert w.as_role(OFFICER, "DELETE FROM address WHERE id = 2 RETURNING id") == []
    after = [
        w.rows("SELECT * FROM person ORDER BY id"),
        w.rows("SELECT * FROM address ORDER BY id"),
        w.rows("SELECT * FROM signal_person ORDER BY 1, 2"),
        w.rows("SELECT * FROM signal_address ORDER BY 1, 2"),
    ]
    assert after == before



@pytest.mark.parametrize("role", [READER, REGION])
def test_the_reader_and_the_region_write_no_setting_but_the_audit_chains_own(
    sql_world: World, role: str
) -> None:
    """They move the anchor and the checkpoint with every audited command; any other key under
    an 'audit.' name would be a setting they made up."""
    w = sql_world
    assert _refused(w, role, "INSERT INTO setting VALUES ('audit.eigen', 'x', 'x', 'x')")
    assert w.rows("SELECT count(*) FROM setting WHERE key = 'audit.eigen'") == [(0,)]
    w.as_role(role, "INSERT INTO setting VALUES ('audit.controlepunt', '0:x', 'x', 'x')")
    assert w.rows("SELECT count(*) FROM setting WHERE key = 'audit.controlepunt'") == [(1,)]


def test_the_region_cannot_ask_the_owners_helper_functions_about_persons(sql_world: World) -> None:
    """person_unlinked() and person_links() run as the owner: they would tell the region which
    person ids exist and in how many signals each is named."""
    w = sql_world
    for function in ("unlinked", "links"):
        for entity in ("person", "address", "organisation"):
            assert _refused(w, REGION, f"SELECT {entity}_{function}(1)"), (entity, function)  # noqa: S608 - fixed names
    assert _refused(w, READER, "SELECT person_links(1)")


def test_an_officer_cannot_widen_their_own_rights(sql_world: World) -> None:
    """Not by a gemeente of their own choosing, not by a group role, not by a Texel signal
    written directly."""
    w = sql_world
    for sql in (
        f"INSERT INTO officer_municipality VALUES ('{OFFICER}', 'Texel')",  # noqa: S608 - fixed names
        "UPDATE officer_municipality SET municipality = 'Texel'",
        "GRANT mhtool_lezer TO CURRENT_USER",
        "SET ROLE mhtool_regio",
        "INSERT INTO signal (ref, year, seq, received_on, municipality, reporter, channel, acute, "  # noqa: S608 - fixed names
        "step, step_since, created_at, created_by, updated_at, description) VALUES "
        "('MH-2026-0009', 2026, 9, '2026-11-02', 'Texel', 'x', 'mail', 0, 1, '2026-11-02', 'x', "
        f"'{OFFICER}', 'x', 'x')",
    ):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            w.as_role(OFFICER, sql)
    assert w.rows("SELECT role_name, municipality FROM officer_municipality ORDER BY 1, 2") == [
        (OFFICER, "Koggenland"),
        ("v.vervanger", "Koggenland"),
    ]
    assert w.rows("SELECT count(*) FROM signal") == [(2,)]
