"""Who may see what on a PostgreSQL server: row-level security, id functions, regional views.

Part of the schema-11 baseline on a server (`STATEMENTS`, run by store/migrations.py after
store/postgres_schema.py), so a server database is never without it. The roles themselves are
cluster-wide and made by the beheerder with the SQL `role_statements()` writes (`mhtool server
rollen`); until then nobody but the owner has any right on a table.

The design (docs/server.md, "Rollen en zichtbaarheid"):

- The owner of the tables (the beheerder's role that created and migrates the schema) is exempt
  from row-level security: RLS is ENABLEd, not FORCEd. The SECURITY DEFINER trigger functions
  of postgres_schema.py and the functions and views below run as that owner, so ids, search
  terms and statistics counts are derived from every row, whoever writes.
- `officer_municipality (role_name, municipality)` says which gemeenten a login role sees. Every
  table that holds or links to a signal's data has a policy that lets a row through only when
  its signal's gemeente is one of them: `signal` itself, its link and child tables (through
  `signal_id IN (SELECT id FROM signal)`, which applies the signal policy in turn), history,
  the statistics tables, the free-text search table. Writing is held to the same rule (a
  policy's USING is also its WITH CHECK): an officer cannot move a signal to another gemeente.
- A person, address or organisation is visible when it is linked to a visible signal, or to no
  signal at all. The latter covers the moment between inserting a person and linking it
  (`signaal nieuw` does exactly that) and the moment between unlinking and deleting (undo,
  erasure); outside a running command mhtool leaves no unlinked entity behind. Which rows no
  signal links to is kept in `unlinked_entity` (ids only) by SECURITY DEFINER triggers,
  because the officer's own view of the link tables hides the links to other gemeenten. A link may only be made to an
  entity the writer sees (else linking another gemeente's person to one's own signal would
  reveal it); `<entity>_seen` asks that as the writer, outside the link table's policy, which
  may not name the entity table whose policy names the link table.
- `search_term` holds the name keys of ALL persons (and streets, organisation words): a term is
  visible only when a visible row carries it, so the fuzzy search cannot list the names of other
  gemeenten. Its count `n` counts every row with that key, so no role may read that column
  (adding a name and reading the count would tell whether another gemeente has it).
- `audit_log`: the officers' roles read it; every role appends (under its own login name
  only, a policy as for new history rows); nobody but the owner gets UPDATE or DELETE, and its
  triggers refuse even the owner. The regional role may not read it (entries name signal
  numbers and logins): appending needs only the head of the chain, which `mhtool_audit_head`
  gives as the owner, under the writers' advisory lock (so reading it is queueing as a
  writer), and `mhtool_audit_hash` the hash at one id (store/audit.py uses both on a server,
  for every role). Its counter is readable (the chain check) but nobody may draw from it
  (nextval would leave gaps like deleted entries).
- A shared person (address, organisation) linked to a signal the writer does not see may be
  read and corrected but not deleted (`<entity>_links`, as the owner, counts every link): a
  DELETE cascades to the other gemeente's link past row-level security.
- `setting`: everyone reads; only a functionaris changes settings, the other roles only the
  audit chain's own two keys (anchor and checkpoint), which every audited command moves.
- Ids: under RLS `max(id)` sees only the visible rows and would hand out an id another officer
  already has. `mhtool_fresh_id`, `mhtool_next_signal_id` and `mhtool_next_change_id` compute
  them as the owner (store/row_ids.py and store/signals.py call them on a server; writers hold
  the write lock, so two cannot compute the same id).
- The regional role reads no base table at all, only the `regio_*` views: per signal its codes
  and dates (gemeente, kanaal, stap, conclusie, vormen, maatregelen, uitkomsten, partners) and
  nothing else: no signal number, no names, no addresses, no free text, and of a person only
  the age band at receipt (minor, adult, possibly minor), not the date of birth. store modules
  read them through `figure_relation()` when `Store.figures_only` is set.
"""

from __future__ import annotations

from collections.abc import Sequence

from mhtool.store.audit import ANCHOR_KEY, CHECKPOINT_KEY
from mhtool.store.connection import Store
from mhtool.store.postgres_connection import WRITE_LOCK
from mhtool.store.sqlite_errors import translate_sqlite_errors

# Tables whose rows belong to one signal through a `signal_id` column.
SIGNAL_CHILDREN = (
    "signal_form",
    "signal_measure",
    "signal_person",
    "signal_address",
    "signal_organisation",
    "step_event",
    "note",
    "follow_up_action",
    "outcome",
)
# (entity table, link table, link column): visible when linked to a visible signal, or to none.
SHARED_ENTITIES = (
    ("person", "signal_person", "person_id"),
    ("address", "signal_address", "address_id"),
    ("organisation", "signal_organisation", "organisation_id"),
)
# (table, column) naming who wrote a row: on a server always the writer's own login.
AUTHORED = (
    ("history", "by_user"),
    ("signal", "created_by"),
    ("note", "by_user"),
    ("step_event", "by_user"),
    ("follow_up_action", "created_by"),
    ("outcome", "created_by"),
)
# Tables derived by triggers from the others: officers only read them.
DERIVED = ("search_term", "search_text", "signal_group", "signal_group_count")
# Every table a functionaris reads and writes (with the policies below).
DATA_TABLES = ("signal", *SIGNAL_CHILDREN, *(e[0] for e in SHARED_ENTITIES), "history")
# The regional role's views, in the order they are created.
REGIONAL_VIEWS = (
    "regio_signal",
    "regio_signal_form",
    "regio_signal_measure",
    "regio_signal_person",
    "regio_step_event",
    "regio_outcome",
    "regio_follow_up_action",
    "regio_signal_group_count",
)
FUNCTIONARIS = "mhtool_functionaris"
LEZER = "mhtool_lezer"
REGIO = "mhtool_regio"
GROUP_ROLES = (FUNCTIONARIS, LEZER, REGIO)

_DEFINER = "SECURITY DEFINER SET search_path FROM CURRENT"
# The gemeenten of the logged-in role: an uncorrelated sub-select, evaluated once per query
# (an InitPlan), which an index condition on `municipality` can use.
_OWN_MUNICIPALITIES = (
    "ARRAY(SELECT om.municipality FROM officer_municipality om "
    "WHERE om.role_name = current_user::text)"
)
VISIBLE_SIGNAL = f"municipality = ANY ({_OWN_MUNICIPALITIES})"
# The settings every role moves with each audit entry (store/audit.py).
_AUDIT_KEYS = f"('{ANCHOR_KEY}', '{CHECKPOINT_KEY}')"


def _officer_table() -> list[str]:
    return [
        """CREATE TABLE officer_municipality (
            role_name TEXT COLLATE "C" NOT NULL,
            municipality TEXT COLLATE "C" NOT NULL,
            PRIMARY KEY (role_name, municipality)
        )""",
        "ALTER TABLE officer_municipality ENABLE ROW LEVEL SECURITY",
        # Each role reads only its own assignments (the owner, exempt, maintains them all).
        "CREATE POLICY own_assignments ON officer_municipality FOR SELECT "
        "USING (role_name = current_user::text)",
    ]


def _helper_functions() -> list[str]:
    """Role membership by name (false when the role does not exist yet), and per shared entity
    whether any signal at all links to it (as the owner: the caller's view hides links), and
    `unlinked_entity`: the persons, addresses and organisations no signal links to, kept by
    triggers as the owner."""
    out = [
        """CREATE FUNCTION mhtool_member(group_role TEXT) RETURNS boolean
        LANGUAGE sql STABLE SET search_path FROM CURRENT AS $$
            SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_roles r WHERE r.rolname = group_role
                           AND pg_catalog.pg_has_role(current_user, r.oid, 'MEMBER'))
        $$""",
        """CREATE TABLE unlinked_entity (
            kind TEXT COLLATE "C" NOT NULL,
            id BIGINT NOT NULL,
            PRIMARY KEY (kind, id)
        )""",
        # Trigger arguments: the entity table, its link table, the link's column.
        f"""CREATE FUNCTION unlinked_entity_added() RETURNS trigger LANGUAGE plpgsql {_DEFINER}
        AS $$
        BEGIN
            INSERT INTO unlinked_entity (kind, id) VALUES (TG_ARGV[0], NEW.id)
            ON CONFLICT DO NOTHING;
            RETURN NULL;
        END $$""",  # noqa: S608 - fixed names
        f"""CREATE FUNCTION unlinked_entity_removed() RETURNS trigger LANGUAGE plpgsql
        {_DEFINER} AS $$
        BEGIN
            DELETE FROM unlinked_entity WHERE kind = TG_ARGV[0] AND id = OLD.id;
            RETURN NULL;
        END $$""",  # noqa: S608 - fixed names
        f"""CREATE FUNCTION unlinked_entity_link() RETURNS trigger LANGUAGE plpgsql {_DEFINER}
        AS $$
        DECLARE
            old_id BIGINT;
            orphan BOOLEAN;
        BEGIN
            IF TG_OP IN ('INSERT', 'UPDATE') THEN
                DELETE FROM unlinked_entity WHERE kind = TG_ARGV[0]
                    AND id = (to_jsonb(NEW) ->> TG_ARGV[2])::BIGINT;
            END IF;
            IF TG_OP IN ('UPDATE', 'DELETE') THEN
                old_id := (to_jsonb(OLD) ->> TG_ARGV[2])::BIGINT;
                EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I WHERE id = $1) AND NOT EXISTS '
                               '(SELECT 1 FROM %I WHERE %I = $1)',
                               TG_ARGV[0], TG_ARGV[1], TG_ARGV[2])
                    INTO orphan USING old_id;
                IF orphan THEN
                    INSERT INTO unlinked_entity (kind, id) VALUES (TG_ARGV[0], old_id)
                    ON CONFLICT DO NOTHING;
                END IF;
            END IF;
            RETURN NULL;
        END $$""",  # noqa: S608 - fixed names
    ]
    # Whether a signal id is not (or no longer) in use, as the owner: the caller cannot tell
    # a deleted signal from one of another gemeente.
    out.append(
        f"""CREATE FUNCTION mhtool_signal_gone(signal_id BIGINT) RETURNS boolean
        LANGUAGE sql STABLE {_DEFINER} AS $$
            SELECT NOT EXISTS (SELECT 1 FROM signal s WHERE s.id = signal_id)
        $$"""  # noqa: S608 - fixed names
    )
    out.append("REVOKE EXECUTE ON FUNCTION mhtool_signal_gone(BIGINT) FROM PUBLIC")
    for entity, link, column in SHARED_ENTITIES:
        args = f"('{entity}', '{link}', '{column}')"
        out += [
            f"CREATE TRIGGER {entity}_unlinked_added AFTER INSERT ON {entity} FOR EACH ROW "
            f"EXECUTE FUNCTION unlinked_entity_added{args}",
            f"CREATE TRIGGER {entity}_unlinked_removed AFTER DELETE ON {entity} FOR EACH ROW "
            f"EXECUTE FUNCTION unlinked_entity_removed{args}",
            f"CREATE TRIGGER {link}_unlinked AFTER INSERT OR UPDATE OR DELETE ON {link} "
            f"FOR EACH ROW EXECUTE FUNCTION unlinked_entity_link{args}",
        ]
        # As the caller (their policies apply), and not inlined (SET search_path): a link
        # table's policy cannot name the entity table itself, whose policy names the link table.
        out.append(
            f"""CREATE FUNCTION {entity}_seen(entity_id BIGINT) RETURNS boolean
            LANGUAGE sql STABLE SET search_path FROM CURRENT AS $$
                SELECT EXISTS (SELECT 1 FROM {entity} WHERE id = entity_id)
            $$"""  # noqa: S608 - fixed names
        )
        # Whether no signal links to it (for the beheerder and tests; the policies read
        # unlinked_entity instead, which is hashed once per query rather than asked per row).
        out.append(
            f"""CREATE FUNCTION {entity}_unlinked(entity_id BIGINT) RETURNS boolean
            LANGUAGE sql STABLE {_DEFINER} AS $$
                SELECT NOT EXISTS (SELECT 1 FROM {link} WHERE {column} = entity_id)
            $$"""  # noqa: S608 - fixed names and checked values
        )
        # How many signals of any gemeente link to it: compared with the links the caller
        # sees, this says whether changing or deleting the entity would reach a signal of
        # another gemeente (a DELETE cascades to every link, row-level security or not).
        out.append(
            f"""CREATE FUNCTION {entity}_links(entity_id BIGINT) RETURNS BIGINT
            LANGUAGE sql STABLE {_DEFINER} AS $$
                SELECT count(*) FROM {link} WHERE {column} = entity_id
            $$"""  # noqa: S608 - fixed names and checked values
        )
        # As the owner, they tell about rows the caller may not see: only the officers' roles,
        # whose policies call them, may run them.
        out.append(f"REVOKE EXECUTE ON FUNCTION {entity}_unlinked(BIGINT) FROM PUBLIC")
        out.append(f"REVOKE EXECUTE ON FUNCTION {entity}_links(BIGINT) FROM PUBLIC")
    return out


def _id_functions() -> list[str]:
    """The id computations of store/row_ids.py and store/signals.py, run as the owner."""
    return [
        f"""CREATE FUNCTION mhtool_fresh_id(table_name TEXT) RETURNS BIGINT
        LANGUAGE plpgsql VOLATILE {_DEFINER} AS $$
        DECLARE
            highest BIGINT;
            freed BIGINT;
        BEGIN
            IF table_name NOT IN ('person', 'address', 'organisation', 'note', 'step_event',
                                  'follow_up_action', 'outcome') THEN
                RAISE EXCEPTION 'no fresh ids for table %', table_name
                    USING ERRCODE = 'invalid_parameter_value';
            END IF;
            EXECUTE format('SELECT coalesce(max(id), 0) FROM %I', table_name) INTO highest;
            SELECT coalesce(max(CAST(value AS BIGINT)), 0) INTO freed FROM setting
                WHERE key = 'id.hoogste.' || table_name;
            RETURN greatest(highest, freed) + 1;
        END $$""",  # noqa: S608 - fixed names and checked values
        f"""CREATE FUNCTION mhtool_next_signal_id() RETURNS BIGINT
        LANGUAGE sql VOLATILE {_DEFINER} AS $$
            SELECT greatest(coalesce((SELECT max(id) FROM signal), 0),
                            coalesce((SELECT max(signal_id) FROM history), 0)) + 1
        $$""",  # noqa: S608 - fixed names and checked values
        f"""CREATE FUNCTION mhtool_next_change_id() RETURNS BIGINT
        LANGUAGE sql VOLATILE {_DEFINER} AS $$
            SELECT coalesce(max(id), 0) + 1 FROM history
        $$""",  # noqa: S608 - fixed names and checked values
        # Only a writer needs ids; the beheerder grants them to mhtool_functionaris.
        "REVOKE EXECUTE ON FUNCTION mhtool_fresh_id(TEXT) FROM PUBLIC",
        "REVOKE EXECUTE ON FUNCTION mhtool_next_signal_id() FROM PUBLIC",
        "REVOKE EXECUTE ON FUNCTION mhtool_next_change_id() FROM PUBLIC",
    ]


def _audit_functions() -> list[str]:
    """What appending to the chain reads, as the owner: only ids and hashes, never an entry."""
    return [
        f"""CREATE FUNCTION mhtool_audit_head(OUT id BIGINT, OUT hash TEXT) RETURNS SETOF record
        LANGUAGE plpgsql VOLATILE {_DEFINER} AS $$
        BEGIN
            -- Re-entrant within the transaction: the head is only read in the writers' queue.
            PERFORM pg_advisory_xact_lock({WRITE_LOCK});
            RETURN QUERY SELECT a.id, a.hash::text FROM audit_log a ORDER BY a.id DESC LIMIT 1;
        END $$""",  # noqa: S608 - fixed names and checked values
        f"""CREATE FUNCTION mhtool_audit_hash(entry_id BIGINT) RETURNS TEXT
        LANGUAGE sql STABLE {_DEFINER} AS $$
            SELECT a.hash::text FROM audit_log a WHERE a.id = entry_id
        $$""",  # noqa: S608 - fixed names and checked values
        "REVOKE EXECUTE ON FUNCTION mhtool_audit_head() FROM PUBLIC",
        "REVOKE EXECUTE ON FUNCTION mhtool_audit_hash(BIGINT) FROM PUBLIC",
    ]


def _policies() -> list[str]:
    out = ["ALTER TABLE signal ENABLE ROW LEVEL SECURITY"]
    out.append(f"CREATE POLICY own_municipalities ON signal USING ({VISIBLE_SIGNAL})")
    links = {link: (entity, column) for entity, link, column in SHARED_ENTITIES}
    for table in SIGNAL_CHILDREN:
        check = ""
        if table in links:
            # A link may only be made to a person (address, organisation) the writer sees:
            # linking someone else's person to one's own signal would otherwise reveal it.
            entity, column = links[table]
            check = f" WITH CHECK (signal_id IN (SELECT id FROM signal) AND {entity}_seen({column}))"  # noqa: S608 - fixed names
        out += [
            f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
            f"CREATE POLICY of_visible_signal ON {table} "  # noqa: S608 - fixed names
            f"USING (signal_id IN (SELECT id FROM signal)){check}",
        ]
    for entity, link, column in SHARED_ENTITIES:
        # Unlinked rows come from unlinked_entity (kept by triggers as the owner): tiny and
        # hashed once per query, where a function asked per row made every scan of person
        # seconds slower at 50,000 signals.
        seen = (
            f"(id IN (SELECT {column} FROM {link}) "  # noqa: S608 - fixed names
            f"OR id IN (SELECT u.id FROM unlinked_entity u WHERE u.kind = '{entity}'))"
        )
        # Deleting a person (address, organisation) that is also linked to a signal the
        # writer does not see would remove it from that other gemeente's case: the foreign key
        # cascades to every link, past row-level security. Only when every signal linking to
        # it is the writer's own (`persoon verwijder` checks this first and says so). A
        # correction is allowed: its history row shows it to everyone who sees the entity.
        own = f"{entity}_links(id) = (SELECT count(*) FROM {link} l WHERE l.{column} = id)"  # noqa: S608 - fixed names
        out += [
            f"ALTER TABLE {entity} ENABLE ROW LEVEL SECURITY",
            f"CREATE POLICY linked_to_visible_signal ON {entity} USING {seen} WITH CHECK (true)",
            f"CREATE POLICY only_own_signals_delete ON {entity} AS RESTRICTIVE FOR DELETE "
            f"USING ({own})",
        ]
    # History of a visible signal; a row about no signal only for whoever wrote it, except the
    # correction of a person (address, organisation): that is for everyone who sees the
    # entity, or a colleague sees a new name without the old one, who changed it or why.
    entity_seen = " OR ".join(
        f"(entity = '{entity}' AND {entity}_seen(entity_id))" for entity, _, _ in SHARED_ENTITIES
    )
    out += [
        "ALTER TABLE history ENABLE ROW LEVEL SECURITY",
        "CREATE POLICY of_visible_signal ON history USING (signal_id IN (SELECT id FROM signal) "  # noqa: S608 - fixed names
        f"OR (signal_id IS NULL AND (by_user = current_user::text OR {entity_seen})) "
        # One's own rows about a signal that is gone (`ongedaan` of a new signal writes them
        # after deleting it; RETURNING and the check need to see them).
        "OR (by_user = current_user::text AND signal_id IS NOT NULL "
        "AND mhtool_signal_gone(signal_id)))",
        # Every row a role adds to the history (and every signal, note, route event, action
        # and outcome) carries its own login name as its author: the owner, exempt, copies
        # rows of a file as they are.
        *(
            f"CREATE POLICY written_by_oneself ON {table} AS RESTRICTIVE FOR INSERT "
            f"WITH CHECK ({column} = current_user::text)"
            for table, column in AUTHORED
        ),
        # The audit log: whoever may read it (the grants say who) reads all of it; everyone
        # appends under their own login name only.
        "ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY",
        "CREATE POLICY everyone_reads ON audit_log FOR SELECT USING (true)",
        "CREATE POLICY written_by_oneself ON audit_log FOR INSERT "
        "WITH CHECK (by_user = current_user::text)",
        "ALTER TABLE search_text ENABLE ROW LEVEL SECURITY",
        # doc = 2 * signal id for a description, 2 * note id + 1 for a note.
        "CREATE POLICY of_visible_signal ON search_text FOR SELECT USING ("
        "(doc % 2 = 0 AND doc / 2 IN (SELECT id FROM signal)) OR "
        "(doc % 2 = 1 AND (doc - 1) / 2 IN (SELECT id FROM note)))",
        "ALTER TABLE search_term ENABLE ROW LEVEL SECURITY",
        "CREATE POLICY carried_by_visible_row ON search_term FOR SELECT USING (CASE kind "
        "WHEN 'achternaam' THEN EXISTS (SELECT 1 FROM person p WHERE p.surname_key = term) "
        "WHEN 'voornaam' THEN EXISTS (SELECT 1 FROM person p WHERE p.given_key = term) "
        "WHEN 'straat' THEN EXISTS (SELECT 1 FROM address a WHERE a.street_key = term) "
        "WHEN 'organisatiewoord' THEN EXISTS (SELECT 1 FROM organisation o "
        "WHERE string_to_array(o.core_key, ' ') @> ARRAY[term::text]) "
        "ELSE false END)",
    ]
    for table in ("signal_group", "signal_group_count"):
        out += [
            f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
            f"CREATE POLICY own_municipalities ON {table} FOR SELECT USING ({VISIBLE_SIGNAL})",
        ]
    out += [
        "ALTER TABLE setting ENABLE ROW LEVEL SECURITY",
        "CREATE POLICY everyone_reads ON setting FOR SELECT USING (true)",
        # The reader and the region move only the audit chain's two keys (every audited
        # command does), no other setting under an 'audit.' name.
        f"CREATE POLICY writer_or_audit_chain ON setting FOR INSERT WITH CHECK "
        f"(key IN {_AUDIT_KEYS} OR mhtool_member('{FUNCTIONARIS}'))",
        f"CREATE POLICY writer_or_audit_chain_update ON setting FOR UPDATE USING "
        f"(key IN {_AUDIT_KEYS} OR mhtool_member('{FUNCTIONARIS}'))",
    ]
    return out


def _regional_views() -> list[str]:
    """Owned by the owner (so they read every gemeente); only codes, dates and counts."""
    # The age band at receipt as the birth year domain.dates.minor_on reads it: the year of
    # receipt (minor), 100 years before (adult) or 18 before (cannot tell). The date of birth
    # itself never leaves the server.
    age = (
        "CAST(substr(s.received_on, 1, 4) AS BIGINT) - CAST(substr(p.birth_date, 1, 4) AS BIGINT)"
        " - CASE WHEN substr(s.received_on, 6, 5) < substr(p.birth_date, 6, 5) THEN 1 ELSE 0 END"
    )
    received = "CAST(substr(s.received_on, 1, 4) AS BIGINT)"
    band = (
        f"CASE WHEN p.birth_date IS NOT NULL THEN "
        f"CASE WHEN {age} < 18 THEN {received} ELSE {received} - 100 END "
        f"WHEN p.birth_year IS NULL THEN NULL "
        f"WHEN {received} - p.birth_year < 18 THEN {received} "
        f"WHEN {received} - p.birth_year - 1 >= 18 THEN {received} - 100 "
        f"ELSE {received} - 18 END"
    )
    # Of a step event's details only the partners consulted (codes) and whether a reason for
    # closing without AVIM was given (the reason itself is free text).
    details = (
        "json_strip_nulls(json_build_object("
        "'partners', CAST(e.details AS json) -> 'partners', "
        "'geen_avim_reden', CASE WHEN coalesce(CAST(e.details AS json) ->> 'geen_avim_reden', "
        "'') <> '' THEN 'ja' END))::text"
    )
    return [
        "CREATE VIEW regio_signal AS SELECT id, received_year, municipality, channel, acute, "
        "avim_informed_at, received_on, step, step_since, conclusion, feedback_given, "
        "criminal_case, shelter_arranged, closed_on, created_at, annulled_on FROM signal",
        "CREATE VIEW regio_signal_form AS SELECT signal_id, form FROM signal_form",
        "CREATE VIEW regio_signal_measure AS SELECT signal_id, measure FROM signal_measure",
        "CREATE VIEW regio_signal_person AS SELECT sp.signal_id, sp.role, "  # noqa: S608 - fixed names and checked values
        f"CAST(NULL AS TEXT) AS birth_date, {band} AS birth_year "
        "FROM signal_person sp JOIN person p ON p.id = sp.person_id "
        "JOIN signal s ON s.id = sp.signal_id",
        "CREATE VIEW regio_step_event AS SELECT e.id, e.signal_id, e.kind, e.from_step, "  # noqa: S608 - fixed names and checked values
        f"e.to_step, e.on_date, {details} AS details FROM step_event e",
        "CREATE VIEW regio_outcome AS SELECT id, signal_id, kind, on_date, value, measure, "
        "measure_status, partner FROM outcome",
        "CREATE VIEW regio_follow_up_action AS SELECT id, signal_id, partner, done_on "
        "FROM follow_up_action",
        "CREATE VIEW regio_signal_group_count AS SELECT * FROM signal_group_count",
    ]


STATEMENTS: tuple[str, ...] = (
    *_officer_table(),
    *_helper_functions(),
    *_id_functions(),
    *_audit_functions(),
    *_policies(),
    *_regional_views(),
)


def figure_relation(figures_only: bool, table: str) -> str:
    """The table a statistics query reads: the table itself, or for the regional role its
    `regio_` view (which has the columns those queries use)."""
    if not figures_only:
        return table
    view = f"regio_{table}"
    if view not in REGIONAL_VIEWS:
        raise ValueError(table)
    return view


# -- the beheerder's SQL (`mhtool server rollen`) ----------------------------------------------

_ALL_GROUPS = ", ".join(GROUP_ROLES)
_GROUP_OF = {"functionaris": FUNCTIONARIS, "lezer": LEZER, "regio": REGIO}


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _create_role_if_missing(name: str, login: bool) -> str:
    """CREATE ROLE has no IF NOT EXISTS; a DO block makes the script safe to run again. `name`
    is a checked login name or a group name of this module (no quote or dollar sign)."""
    kind = "LOGIN" if login else "NOLOGIN"
    return (
        "DO $mhtool$ BEGIN\n"  # noqa: S608 - fixed names and checked values
        f"    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = {_literal(name)})"
        f" THEN\n        CREATE ROLE {_identifier(name)} {kind};\n    END IF;\n"
        "END $mhtool$"
    )


def _membership(group: str, name: str, *, member: bool) -> str:
    """GRANT or REVOKE a group only when that changes something: a plain REVOKE of a missing
    membership (or a GRANT of an existing one) makes the server print an English WARNING
    (NOTICE) in the beheerder's psql for every login, every run."""
    change, exists = (
        (f"GRANT {group} TO {_identifier(name)}", "NOT EXISTS")
        if member
        else (f"REVOKE {group} FROM {_identifier(name)}", "EXISTS")
    )
    return (
        "DO $mhtool$ BEGIN\n"  # noqa: S608 - fixed names and checked values
        f"    IF {exists} (SELECT 1 FROM pg_catalog.pg_auth_members m\n"
        "               JOIN pg_catalog.pg_roles g ON g.oid = m.roleid\n"
        "               JOIN pg_catalog.pg_roles u ON u.oid = m.member\n"
        f"               WHERE g.rolname = {_literal(group)} AND u.rolname = {_literal(name)})"
        f" THEN\n        {change};\n    END IF;\n"
        "END $mhtool$"
    )


def group_statements() -> list[str]:
    """The three group roles and what each may do with the tables and views of this database."""
    data = ", ".join(DATA_TABLES)
    derived = ", ".join(t for t in DERIVED if t != "search_term")
    views = ", ".join(REGIONAL_VIEWS)
    return [
        *(_create_role_if_missing(group, login=False) for group in GROUP_ROLES),
        "DO $mhtool$ BEGIN\n"
        "    EXECUTE format('GRANT CONNECT ON DATABASE %I TO "
        f"{_ALL_GROUPS}', current_database());\n"
        f"    EXECUTE format('GRANT USAGE ON SCHEMA %I TO {_ALL_GROUPS}', current_schema());\n"
        "END $mhtool$",
        # Every role: the schema version, settings (row-level security limits who changes
        # what; the audit chain's anchor is one) and appending to the audit log, which every
        # command does through the head of the chain (store/audit.py).
        f"GRANT SELECT ON schema_migration, setting TO {_ALL_GROUPS}",
        f"GRANT INSERT, UPDATE ON setting TO {_ALL_GROUPS}",
        f"GRANT INSERT ON audit_log TO {_ALL_GROUPS}",
        "GRANT EXECUTE ON FUNCTION mhtool_audit_head(), mhtool_audit_hash(BIGINT) "
        f"TO {_ALL_GROUPS}",
        # Reading the log (signal numbers, login names): the officers only. The REVOKE takes
        # it from a region set up by an older script.
        f"GRANT SELECT ON audit_log TO {FUNCTIONARIS}, {LEZER}",
        f"REVOKE SELECT ON audit_log FROM {REGIO}",  # noqa: S608 - fixed names
        # SELECT only: the last id, for the audit chain's check (store/audit.py). USAGE would
        # let any role call nextval() and leave gaps that look like deleted entries.
        f"GRANT SELECT ON SEQUENCE audit_log_id_seq TO {_ALL_GROUPS}",
        # The officers: the signals of their own gemeenten (row-level security).
        f"GRANT SELECT ON officer_municipality, unlinked_entity, {data}, {derived} "
        f"TO {FUNCTIONARIS}, {LEZER}",
        # Not the use count of a search term: it counts the persons (streets, organisations)
        # of every gemeente, so adding a name and reading its count would tell whether another
        # gemeente has it. mhtool reads only kind and term.
        f"GRANT SELECT (kind, term) ON search_term TO {FUNCTIONARIS}, {LEZER}",
        "GRANT EXECUTE ON FUNCTION person_links(BIGINT), address_links(BIGINT), "
        f"organisation_links(BIGINT) TO {FUNCTIONARIS}",
        "GRANT EXECUTE ON FUNCTION person_unlinked(BIGINT), address_unlinked(BIGINT), "
        f"organisation_unlinked(BIGINT), mhtool_signal_gone(BIGINT) TO {FUNCTIONARIS}, {LEZER}",
        f"GRANT INSERT, UPDATE, DELETE ON {data} TO {FUNCTIONARIS}",
        f"GRANT SELECT, INSERT, UPDATE ON signal_counter TO {FUNCTIONARIS}",
        "GRANT EXECUTE ON FUNCTION mhtool_fresh_id(TEXT), mhtool_next_signal_id(), "
        f"mhtool_next_change_id() TO {FUNCTIONARIS}",
        # The region: figures only, from the views; no base table at all.
        f"GRANT SELECT ON {views} TO {REGIO}",
    ]


def login_statements(login: str, kind: str, municipalities: tuple[str, ...]) -> list[str]:
    """One officer's login role, in exactly one group, and the gemeenten it sees (added to what
    it saw before: removing one is a DELETE the beheerder writes on purpose)."""
    group = _GROUP_OF[kind]
    out = [
        _create_role_if_missing(login, login=True),
        *(_membership(other, login, member=False) for other in GROUP_ROLES if other != group),
        _membership(group, login, member=True),
        # The policies make every plan look expensive to the planner, which then compiles it
        # (JIT) first: measured at 50,000 signals, a search-term read took 0.6 s that way and
        # 0.07 s without. A login's own setting, applied when it logs in.
        f"ALTER ROLE {_identifier(login)} SET jit = off",
    ]
    out += [
        "INSERT INTO officer_municipality (role_name, municipality) "  # noqa: S608 - fixed names and checked values
        f"VALUES ({_literal(login)}, {_literal(place)}) ON CONFLICT DO NOTHING"
        for place in municipalities
    ]
    return out


def apply_statements(store: Store, statements: Sequence[str]) -> None:
    """Run the beheerder's statements inside the caller's write transaction. A refusal comes
    back as NotAllowedError here, so the use case can say who may make roles."""
    with translate_sqlite_errors():
        for statement in statements:
            store.execute(statement)


_SCRIPT_HEADER = (
    "-- mhtool: rollen en rechten op de server (gemaakt met 'mhtool server rollen').",
    "-- Voer dit uit als de eigenaar van de mhtool-tabellen (de beheerder, met het recht om",
    "-- rollen te maken), verbonden met de mhtool-database, bijvoorbeeld:",
    "--     psql -v ON_ERROR_STOP=1 'postgresql://beheerder@server/mhtool' -f rollen.sql",
    "-- Opnieuw uitvoeren kan: wat al bestaat blijft staan.",
    "-- Wachtwoorden staan hier nooit in: zet ze in psql met \\password NAAM; de",
    "-- functionaris bewaart het eigen wachtwoord met 'mhtool server wachtwoord'.",
    "-- Welke gemeenten iemand ziet staat in de tabel officer_municipality; een gemeente",
    "-- intrekken: DELETE FROM officer_municipality WHERE role_name = 'NAAM' AND",
    "-- municipality = 'GEMEENTE';  iemand de toegang ontnemen: DROP ROLE \"NAAM\";",
)


def role_script(sections: Sequence[tuple[str, Sequence[str]]]) -> str:
    """(Dutch comment, statements) sections as one psql script in one transaction."""
    lines = [*_SCRIPT_HEADER, "", "BEGIN;"]
    for comment, statements in sections:
        lines += ["", f"-- {comment}"]
        lines += [f"{statement};" for statement in statements]
    lines += ["", "COMMIT;"]
    return "\n".join(lines) + "\n"
