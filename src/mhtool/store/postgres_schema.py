"""Schema version 11 on PostgreSQL: the database SQLite migrations 1-11 build, in one go.

PostgreSQL support starts at schema 11, so on a server migration 11 runs `STATEMENTS` on an
empty database (inside one transaction, under the migration lock) and versions 1-10 are
recorded as part of it. Every later migration carries SQL for both dialects.

Representation follows the file exactly, so output, sorting and audit hashes are the same on
both backends: SQLite's INTEGER is BIGINT, TEXT is `TEXT COLLATE "C"` (SQLite compares text
byte by byte), dates and timestamps stay ISO text, booleans stay 0/1 integers with the same
CHECKs; the same primary keys, UNIQUE constraints, foreign keys (ON DELETE CASCADE) and indexes,
partial ones included, under the same names. Columns are in the file's order (columns added by
later SQLite migrations come last), so `SELECT *` gives the same dictionaries.

What SQLite does implicitly is explicit here:

- Row ids. An `INTEGER PRIMARY KEY` without a value gets the highest id + 1 (store/row_ids.py
  relies on it and sometimes gives ids itself). A BEFORE INSERT trigger per table does the same.
  Writers hold the write advisory lock, so two inserts cannot compute the same id. The trigger
  functions are SECURITY DEFINER: with row-level security a writer may not see every row, but
  max(id) must.
- `audit_log` (AUTOINCREMENT in SQLite: ids never reused) takes its ids from an identity
  sequence; an id given explicitly (a file moved onto the server) moves the sequence past it.
- Every SQLite trigger is a plpgsql trigger function + trigger with the same effect, also
  SECURITY DEFINER: the tables they keep (search terms, statistics counts, search text) are
  derived from all rows, whoever writes. `search_term`, `signal_group`/`signal_group_count`,
  `received_year` (a BEFORE trigger, so the row is stored right at once) and the append-only
  `audit_log` (an error on UPDATE, DELETE and TRUNCATE).
- FTS5. `search_text` is a plain table (doc = 2*signal id for a description, 2*note id+1 for a
  note) with the body and its words as FTS5 `unicode61 remove_diacritics 2` makes them
  (`search_words()`, built from the tokenizer's own tables in store/text_tokens.py), with a GIN
  index; `organisation_text` is a GIN index on the words of `organisation.core_key` (which
  holds only [a-z0-9 ]). No extension is needed (unaccent may not be installable).
- Not carried over: SQLite's `secure_delete` (PostgreSQL keeps a deleted or updated row version
  on disk until VACUUM reuses the space; docs/ say so for erasure), `PRAGMA application_id`.

The functions run with the search_path fixed at creation to the schema the tables are made in
(first statement), so a SECURITY DEFINER function cannot be pointed at another table.
"""

from __future__ import annotations

from mhtool.store.text_tokens import LATIN_END, fold_strings, separator_class

T = 'TEXT COLLATE "C"'

# Tables with `id INTEGER PRIMARY KEY` in SQLite: a missing id becomes max(id) + 1.
ID_TABLES = (
    "signal",
    "person",
    "address",
    "organisation",
    "step_event",
    "note",
    "history",
    "follow_up_action",
    "outcome",
)

_DEFINER = "LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT"


def _sql_string(text: str) -> str:
    """A PostgreSQL E'' literal in plain ASCII: every other character as a \\u/\\U escape."""
    out = []
    for ch in text:
        cp = ord(ch)
        if ch in "'\\":
            out.append("\\" + ch)
        elif 0x20 <= cp < 0x7F:
            out.append(ch)
        elif cp <= 0xFFFF:
            out.append(f"\\u{cp:04X}")
        else:
            out.append(f"\\U{cp:08X}")
    return "E'" + "".join(out) + "'"


_TABLES = (
    f"""CREATE TABLE schema_migration (
        version BIGINT PRIMARY KEY,
        name {T} NOT NULL,
        applied_at {T} NOT NULL
    )""",
    """CREATE TABLE signal_counter (
        year BIGINT PRIMARY KEY,
        last_seq BIGINT NOT NULL
    )""",
    f"""CREATE TABLE signal (
        id BIGINT PRIMARY KEY,
        ref {T} NOT NULL UNIQUE,
        year BIGINT NOT NULL,
        seq BIGINT NOT NULL,
        received_on {T} NOT NULL,
        municipality {T} NOT NULL,
        reporter {T} NOT NULL,
        reporter_department {T} NOT NULL DEFAULT '',
        channel {T} NOT NULL,
        acute BIGINT NOT NULL CHECK (acute IN (0, 1)),
        avim_informed_at {T},
        description {T} NOT NULL DEFAULT '',
        step BIGINT NOT NULL CHECK (step BETWEEN 1 AND 5),
        step_since {T} NOT NULL,
        conclusion {T},
        feedback_given BIGINT CHECK (feedback_given IN (0, 1)),
        feedback_on {T},
        criminal_case BIGINT CHECK (criminal_case IN (0, 1)),
        shelter_arranged BIGINT CHECK (shelter_arranged IN (0, 1)),
        closed_on {T},
        created_at {T} NOT NULL,
        created_by {T} NOT NULL,
        updated_at {T} NOT NULL,
        destroy_on {T},
        received_year BIGINT NOT NULL DEFAULT 0,
        annulled_on {T},
        UNIQUE (year, seq)
    )""",
    "CREATE INDEX signal_by_step ON signal (step, step_since)",
    "CREATE INDEX signal_by_received ON signal (received_on)",
    "CREATE INDEX signal_statistics ON signal (received_year, municipality, step, channel, "
    "conclusion, criminal_case, shelter_arranged, annulled_on)",
    "CREATE INDEX signal_by_destroy_on ON signal (destroy_on) WHERE destroy_on IS NOT NULL",
    "CREATE INDEX signal_acute_without_avim ON signal (received_on) "
    "WHERE acute = 1 AND avim_informed_at IS NULL AND step < 5",
    "CREATE INDEX signal_feedback_owed ON signal (closed_on) WHERE step = 5 AND feedback_given = 0",
    "CREATE INDEX signal_listed ON signal (step, step_since, annulled_on) WHERE annulled_on IS NULL",
    "CREATE INDEX signal_by_municipality ON signal (municipality, step, step_since, annulled_on) "
    "WHERE annulled_on IS NULL",
    "CREATE INDEX signal_acute ON signal (step, step_since, annulled_on) "
    "WHERE acute = 1 AND annulled_on IS NULL",
    f"""CREATE TABLE signal_form (
        signal_id BIGINT NOT NULL REFERENCES signal (id) ON DELETE CASCADE,
        form {T} NOT NULL,
        PRIMARY KEY (signal_id, form)
    )""",
    "CREATE INDEX signal_form_by_form ON signal_form (form, signal_id)",
    f"""CREATE TABLE signal_measure (
        signal_id BIGINT NOT NULL REFERENCES signal (id) ON DELETE CASCADE,
        measure {T} NOT NULL,
        PRIMARY KEY (signal_id, measure)
    )""",
    f"""CREATE TABLE person (
        id BIGINT PRIMARY KEY,
        name {T} NOT NULL,
        name_key {T} NOT NULL,
        birth_date {T},
        birth_year BIGINT,
        nationality {T} NOT NULL DEFAULT '',
        created_at {T} NOT NULL,
        given_key {T} NOT NULL DEFAULT '',
        initial {T} NOT NULL DEFAULT '',
        surname_key {T} NOT NULL DEFAULT ''
    )""",
    "CREATE INDEX person_by_name ON person (name_key)",
    "CREATE INDEX person_by_birth ON person (birth_year, birth_date)",
    "CREATE INDEX person_by_surname ON person "
    "(surname_key, initial, given_key, birth_year, birth_date, name_key)",
    "CREATE INDEX person_by_given ON person "
    "(given_key, birth_year, surname_key, initial, birth_date, name_key)",
    f"""CREATE TABLE signal_person (
        signal_id BIGINT NOT NULL REFERENCES signal (id) ON DELETE CASCADE,
        person_id BIGINT NOT NULL REFERENCES person (id) ON DELETE CASCADE,
        role {T} NOT NULL,
        PRIMARY KEY (signal_id, person_id)
    )""",
    "CREATE INDEX signal_person_by_person ON signal_person (person_id, signal_id)",
    f"""CREATE TABLE address (
        id BIGINT PRIMARY KEY,
        street {T} NOT NULL DEFAULT '',
        street_key {T} NOT NULL DEFAULT '',
        house_number BIGINT NOT NULL,
        house_addition {T} NOT NULL DEFAULT '',
        house_key {T} NOT NULL,
        postcode {T} NOT NULL DEFAULT '',
        city {T} NOT NULL DEFAULT '',
        created_at {T} NOT NULL,
        city_key {T} NOT NULL DEFAULT ''
    )""",
    "CREATE INDEX address_by_postcode ON address (postcode, house_key)",
    "CREATE INDEX address_by_street ON address (street_key, house_key)",
    "CREATE INDEX address_by_postcode_number ON address (postcode, house_number)",
    "CREATE INDEX address_by_street_number ON address (street_key, house_number)",
    """CREATE TABLE signal_address (
        signal_id BIGINT NOT NULL REFERENCES signal (id) ON DELETE CASCADE,
        address_id BIGINT NOT NULL REFERENCES address (id) ON DELETE CASCADE,
        PRIMARY KEY (signal_id, address_id)
    )""",
    "CREATE INDEX signal_address_by_address ON signal_address (address_id, signal_id)",
    f"""CREATE TABLE organisation (
        id BIGINT PRIMARY KEY,
        name {T} NOT NULL,
        name_key {T} NOT NULL,
        kvk {T} NOT NULL DEFAULT '',
        sector {T} NOT NULL DEFAULT '',
        created_at {T} NOT NULL,
        core_key {T} NOT NULL DEFAULT ''
    )""",
    "CREATE INDEX organisation_by_name ON organisation (name_key)",
    "CREATE INDEX organisation_by_kvk ON organisation (kvk)",
    "CREATE INDEX organisation_by_core ON organisation (core_key)",
    # FTS5's organisation_text (external content over core_key): the words of the key, which
    # holds only [a-z0-9 ] with single spaces, so splitting at a space is the tokenizer.
    # store/search.py queries exactly this expression.
    "CREATE INDEX organisation_text ON organisation USING gin ((string_to_array(core_key, ' ')))",
    """CREATE TABLE signal_organisation (
        signal_id BIGINT NOT NULL REFERENCES signal (id) ON DELETE CASCADE,
        organisation_id BIGINT NOT NULL REFERENCES organisation (id) ON DELETE CASCADE,
        PRIMARY KEY (signal_id, organisation_id)
    )""",
    "CREATE INDEX signal_organisation_by_org ON signal_organisation (organisation_id)",
    f"""CREATE TABLE step_event (
        id BIGINT PRIMARY KEY,
        signal_id BIGINT NOT NULL REFERENCES signal (id) ON DELETE CASCADE,
        kind {T} NOT NULL,
        from_step BIGINT,
        to_step BIGINT,
        on_date {T} NOT NULL,
        by_user {T} NOT NULL,
        note {T} NOT NULL DEFAULT '',
        reason {T} NOT NULL DEFAULT '',
        details {T} NOT NULL DEFAULT '{{}}',
        recorded_at {T} NOT NULL
    )""",
    "CREATE INDEX step_event_by_signal ON step_event (signal_id, id)",
    "CREATE INDEX step_event_by_date ON step_event (on_date)",
    f"""CREATE TABLE note (
        id BIGINT PRIMARY KEY,
        signal_id BIGINT NOT NULL REFERENCES signal (id) ON DELETE CASCADE,
        on_date {T} NOT NULL,
        by_user {T} NOT NULL,
        text {T} NOT NULL,
        created_at {T} NOT NULL
    )""",
    "CREATE INDEX note_by_signal ON note (signal_id, id)",
    f"""CREATE TABLE history (
        id BIGINT PRIMARY KEY,
        at {T} NOT NULL,
        by_user {T} NOT NULL,
        signal_id BIGINT,
        entity {T} NOT NULL,
        entity_id BIGINT,
        action {T} NOT NULL,
        changes {T} NOT NULL DEFAULT '{{}}',
        change_id BIGINT
    )""",
    "CREATE INDEX history_by_signal ON history (signal_id, id)",
    "CREATE INDEX history_by_change ON history (change_id)",
    "CREATE INDEX history_by_user_change ON history (by_user, change_id)",
    f"""CREATE TABLE audit_log (
        id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        at {T} NOT NULL,
        by_user {T} NOT NULL,
        action {T} NOT NULL,
        object_type {T} NOT NULL,
        object_id {T} NOT NULL DEFAULT '',
        result {T} NOT NULL,
        details {T} NOT NULL DEFAULT '{{}}',
        prev_hash {T} NOT NULL,
        hash {T} NOT NULL
    )""",
    "CREATE INDEX audit_log_by_at ON audit_log (at)",
    "CREATE INDEX audit_log_by_object ON audit_log (object_type, object_id)",
    f"""CREATE TABLE setting (
        key {T} PRIMARY KEY,
        value {T} NOT NULL,
        updated_at {T} NOT NULL,
        updated_by {T} NOT NULL
    )""",
    f"""CREATE TABLE search_term (
        kind {T} NOT NULL,
        term {T} NOT NULL,
        n BIGINT NOT NULL,
        PRIMARY KEY (kind, term)
    )""",
    # FTS5's search_text: doc is FTS5's rowid, words the tokens of body (kept by a trigger).
    f"""CREATE TABLE search_text (
        doc BIGINT PRIMARY KEY,
        body {T} NOT NULL,
        words TEXT[] COLLATE "C" NOT NULL
    )""",
    "CREATE INDEX search_text_words ON search_text USING gin (words)",
    f"""CREATE TABLE follow_up_action (
        id BIGINT PRIMARY KEY,
        signal_id BIGINT NOT NULL REFERENCES signal (id) ON DELETE CASCADE,
        seq BIGINT NOT NULL,
        description {T} NOT NULL,
        due_on {T} NOT NULL,
        partner {T} NOT NULL DEFAULT '',
        created_on {T} NOT NULL,
        created_at {T} NOT NULL,
        created_by {T} NOT NULL,
        done_on {T},
        done_by {T},
        done_note {T} NOT NULL DEFAULT '',
        UNIQUE (signal_id, seq)
    )""",
    "CREATE INDEX follow_up_open_by_due ON follow_up_action (due_on) WHERE done_on IS NULL",
    f"""CREATE TABLE outcome (
        id BIGINT PRIMARY KEY,
        signal_id BIGINT NOT NULL REFERENCES signal (id) ON DELETE CASCADE,
        kind {T} NOT NULL,
        on_date {T} NOT NULL,
        value BIGINT CHECK (value IN (0, 1)),
        measure {T},
        measure_status {T},
        partner {T} NOT NULL DEFAULT '',
        ends_on {T},
        note {T} NOT NULL DEFAULT '',
        created_at {T} NOT NULL,
        created_by {T} NOT NULL
    )""",
    "CREATE INDEX outcome_by_signal ON outcome (signal_id, id)",
    "CREATE INDEX outcome_by_kind ON outcome (kind, on_date)",
    "CREATE INDEX outcome_b8_by_end ON outcome (ends_on) WHERE kind = 'bedenktijd'",
    f"""CREATE TABLE signal_group (
        signal_id BIGINT NOT NULL,
        form {T} NOT NULL,
        sector {T} NOT NULL,
        year BIGINT NOT NULL,
        municipality {T} NOT NULL,
        step BIGINT NOT NULL,
        channel {T} NOT NULL,
        conclusion {T} NOT NULL,
        form_first BIGINT NOT NULL,
        sector_first BIGINT NOT NULL,
        PRIMARY KEY (signal_id, form, sector)
    )""",
    f"""CREATE TABLE signal_group_count (
        year BIGINT NOT NULL,
        municipality {T} NOT NULL,
        step BIGINT NOT NULL,
        channel {T} NOT NULL,
        conclusion {T} NOT NULL,
        form {T} NOT NULL,
        sector {T} NOT NULL,
        pairs BIGINT NOT NULL,
        forms BIGINT NOT NULL,
        sectors BIGINT NOT NULL,
        PRIMARY KEY (year, municipality, step, channel, conclusion, form, sector)
    )""",
)


def _id_triggers() -> list[str]:
    out = []
    for table in ID_TABLES:
        out += [
            f"""CREATE FUNCTION {table}_next_id() RETURNS trigger {_DEFINER} AS $$
            BEGIN
                SELECT coalesce(max(id), 0) + 1 INTO NEW.id FROM {table};
                RETURN NEW;
            END $$""",  # noqa: S608 - fixed names
            f"CREATE TRIGGER {table}_next_id BEFORE INSERT ON {table} FOR EACH ROW "
            f"WHEN (NEW.id IS NULL) EXECUTE FUNCTION {table}_next_id()",
        ]
    return out


_AUDIT = [
    # AUTOINCREMENT: an explicit id moves the sequence past it, so no later id repeats it.
    f"""CREATE FUNCTION audit_log_explicit_id() RETURNS trigger {_DEFINER} AS $$
    DECLARE
        highest BIGINT;
    BEGIN
        SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END INTO highest
        FROM audit_log_id_seq;
        IF NEW.id > highest THEN
            PERFORM setval(pg_get_serial_sequence('audit_log', 'id'), NEW.id);
        END IF;
        RETURN NEW;
    END $$""",  # noqa: S608 - fixed names
    "CREATE TRIGGER audit_log_explicit_id BEFORE INSERT ON audit_log FOR EACH ROW "
    "EXECUTE FUNCTION audit_log_explicit_id()",
    f"""CREATE FUNCTION audit_log_append_only() RETURNS trigger {_DEFINER} AS $$
    BEGIN
        RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'integrity_constraint_violation';
    END $$""",  # noqa: S608 - fixed names
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log FOR EACH ROW "
    "EXECUTE FUNCTION audit_log_append_only()",
    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log FOR EACH ROW "
    "EXECUTE FUNCTION audit_log_append_only()",
    "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()",
]

# signal.received_year: the year of received_on, whatever writes the row (SQLite migration 7
# fixes it up AFTER the write; a BEFORE trigger stores it right at once). CAST(... AS INTEGER)
# of SQLite reads a leading number and gives 0 for none; so does this.
_RECEIVED_YEAR = [
    f"""CREATE FUNCTION signal_received_year() RETURNS trigger {_DEFINER} AS $$
    BEGIN
        NEW.received_year := coalesce(
            substring(substr(NEW.received_on, 1, 4) FROM '^ *([0-9]+)')::BIGINT, 0);
        RETURN NEW;
    END $$""",  # noqa: S608 - fixed names
    "CREATE TRIGGER signal_received_year_insert BEFORE INSERT ON signal FOR EACH ROW "
    "EXECUTE FUNCTION signal_received_year()",
    "CREATE TRIGGER signal_received_year_update BEFORE UPDATE OF received_on, received_year "
    "ON signal FOR EACH ROW EXECUTE FUNCTION signal_received_year()",
]

# search_term: one row per distinct key with its use count (store/search_schema.py). The
# trigger arguments are the term kind and the key column.
_TERMS = [
    f"""CREATE FUNCTION search_term_added() RETURNS trigger {_DEFINER} AS $$
    BEGIN
        INSERT INTO search_term (kind, term, n)
        VALUES (TG_ARGV[0], to_jsonb(NEW) ->> TG_ARGV[1], 1)
        ON CONFLICT (kind, term) DO UPDATE SET n = search_term.n + 1;
        RETURN NULL;
    END $$""",  # noqa: S608 - fixed names
    f"""CREATE FUNCTION search_term_removed() RETURNS trigger {_DEFINER} AS $$
    DECLARE
        old_term TEXT COLLATE "C" := to_jsonb(OLD) ->> TG_ARGV[1];
    BEGIN
        UPDATE search_term SET n = n - 1 WHERE kind = TG_ARGV[0] AND term = old_term;
        DELETE FROM search_term WHERE kind = TG_ARGV[0] AND term = old_term AND n <= 0;
        RETURN NULL;
    END $$""",  # noqa: S608 - fixed names
]
_TERM_SOURCES = (
    ("straat", "address", "street_key", "address"),
    ("achternaam", "person", "surname_key", "person"),
    ("voornaam", "person", "given_key", "person_given"),
)
for _kind, _table, _column, _name in _TERM_SOURCES:
    _args = f"('{_kind}', '{_column}')"
    _TERMS += [
        f"CREATE TRIGGER {_name}_term_insert AFTER INSERT ON {_table} FOR EACH ROW "
        f"WHEN (NEW.{_column} <> '') EXECUTE FUNCTION search_term_added{_args}",
        f"CREATE TRIGGER {_name}_term_delete AFTER DELETE ON {_table} FOR EACH ROW "
        f"WHEN (OLD.{_column} <> '') EXECUTE FUNCTION search_term_removed{_args}",
        f"CREATE TRIGGER {_name}_term_update_old AFTER UPDATE OF {_column} ON {_table} "
        f"FOR EACH ROW WHEN (OLD.{_column} <> '' AND OLD.{_column} IS DISTINCT FROM "
        f"NEW.{_column}) EXECUTE FUNCTION search_term_removed{_args}",
        f"CREATE TRIGGER {_name}_term_update_new AFTER UPDATE OF {_column} ON {_table} "
        f"FOR EACH ROW WHEN (NEW.{_column} <> '' AND OLD.{_column} IS DISTINCT FROM "
        f"NEW.{_column}) EXECUTE FUNCTION search_term_added{_args}",
    ]

# Organisations: the distinct words of core_key as 'organisatiewoord' terms (the GIN index
# organisation_text needs no upkeep).
_ORGANISATION_WORDS = [
    f"""CREATE FUNCTION organisation_words() RETURNS trigger {_DEFINER} AS $$
    BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            UPDATE search_term SET n = n - 1 WHERE kind = 'organisatiewoord'
                AND term IN (SELECT unnest(string_to_array(OLD.core_key, ' ')));
            DELETE FROM search_term WHERE kind = 'organisatiewoord' AND n <= 0
                AND term IN (SELECT unnest(string_to_array(OLD.core_key, ' ')));
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            INSERT INTO search_term (kind, term, n)
            SELECT DISTINCT 'organisatiewoord', word, 1
            FROM unnest(string_to_array(NEW.core_key, ' ')) AS word WHERE word <> ''
            ON CONFLICT (kind, term) DO UPDATE SET n = search_term.n + 1;
        END IF;
        RETURN NULL;
    END $$""",  # noqa: S608 - fixed names
    "CREATE TRIGGER organisation_words_insert AFTER INSERT ON organisation FOR EACH ROW "
    "WHEN (NEW.core_key <> '') EXECUTE FUNCTION organisation_words()",
    "CREATE TRIGGER organisation_words_delete AFTER DELETE ON organisation FOR EACH ROW "
    "WHEN (OLD.core_key <> '') EXECUTE FUNCTION organisation_words()",
    "CREATE TRIGGER organisation_words_update AFTER UPDATE OF core_key ON organisation "
    "FOR EACH ROW WHEN (OLD.core_key IS DISTINCT FROM NEW.core_key) "
    "EXECUTE FUNCTION organisation_words()",
]


def _search_text() -> list[str]:
    """search_words(): FTS5 unicode61 remove_diacritics 2 in SQL. Lower-case ASCII (C
    collation: nothing else), split at the separators (plain ASCII text at anything but a
    letter or digit, the cheap expression), fold the words that hold other characters with
    translate(): Latin words with the short Latin map, any other with the whole map. It uses
    built-in functions only (pg_catalog comes first on every search_path), so it needs no
    pinned search_path, whose set-and-restore on every call would double its cost."""
    fold_from, fold_to = fold_strings()
    latin_from, latin_to = fold_strings(LATIN_END)
    latin_only = _sql_string(f"^[\\x01-\\u{LATIN_END:04x}]*$")
    ascii_only = _sql_string("^[\\x01-\\x7f]*$")
    return [
        f"""CREATE FUNCTION search_words(body TEXT) RETURNS TEXT[]
        LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
            SELECT coalesce(array_agg(word ORDER BY n), '{{}}') FROM (
                SELECT n, CASE WHEN piece ~ '^[a-z0-9]*$' THEN piece
                    WHEN piece ~ {latin_only}
                        THEN translate(piece, {_sql_string(latin_from)}, {_sql_string(latin_to)})
                    ELSE translate(piece, {_sql_string(fold_from)}, {_sql_string(fold_to)})
                    END AS word
                FROM regexp_split_to_table(
                    lower(body COLLATE "C"),
                    CASE WHEN body ~ {ascii_only} THEN '[^a-z0-9]+'
                         ELSE {_sql_string(separator_class() + "+")} END
                ) WITH ORDINALITY AS t (piece, n)
            ) AS folded WHERE word <> ''
        $$""",  # noqa: S608 - fixed names
        f"""CREATE FUNCTION search_text_words() RETURNS trigger {_DEFINER} AS $$
        BEGIN
            NEW.words := search_words(NEW.body);
            RETURN NEW;
        END $$""",  # noqa: S608 - fixed names
        "CREATE TRIGGER search_text_words BEFORE INSERT OR UPDATE OF body ON search_text "
        "FOR EACH ROW EXECUTE FUNCTION search_text_words()",
        # Descriptions are doc 2*id, notes 2*id+1 (FTS5's rowid in SQLite).
        f"""CREATE FUNCTION search_text_of_signal() RETURNS trigger {_DEFINER} AS $$
        BEGIN
            IF TG_OP IN ('UPDATE', 'DELETE') THEN
                DELETE FROM search_text WHERE doc = 2 * OLD.id;
            END IF;
            IF TG_OP IN ('INSERT', 'UPDATE') THEN
                INSERT INTO search_text (doc, body) VALUES (2 * NEW.id, NEW.description);
            END IF;
            RETURN NULL;
        END $$""",  # noqa: S608 - fixed names
        f"""CREATE FUNCTION search_text_of_note() RETURNS trigger {_DEFINER} AS $$
        BEGIN
            IF TG_OP IN ('UPDATE', 'DELETE') THEN
                DELETE FROM search_text WHERE doc = 2 * OLD.id + 1;
            END IF;
            IF TG_OP IN ('INSERT', 'UPDATE') THEN
                INSERT INTO search_text (doc, body) VALUES (2 * NEW.id + 1, NEW.text);
            END IF;
            RETURN NULL;
        END $$""",  # noqa: S608 - fixed names
        "CREATE TRIGGER signal_text_insert AFTER INSERT ON signal FOR EACH ROW "
        "EXECUTE FUNCTION search_text_of_signal()",
        "CREATE TRIGGER signal_text_update AFTER UPDATE OF description ON signal FOR EACH ROW "
        "EXECUTE FUNCTION search_text_of_signal()",
        "CREATE TRIGGER signal_text_delete AFTER DELETE ON signal FOR EACH ROW "
        "EXECUTE FUNCTION search_text_of_signal()",
        "CREATE TRIGGER note_text_insert AFTER INSERT ON note FOR EACH ROW "
        "EXECUTE FUNCTION search_text_of_note()",
        "CREATE TRIGGER note_text_update AFTER UPDATE OF text ON note FOR EACH ROW "
        "EXECUTE FUNCTION search_text_of_note()",
        "CREATE TRIGGER note_text_delete AFTER DELETE ON note FOR EACH ROW "
        "EXECUTE FUNCTION search_text_of_note()",
    ]


# signal_group / signal_group_count (store/statistics_schema.py): a signal's rows are rebuilt
# whenever anything they derive from changes; the counts follow every row added or removed.
_GROUP_KEY = ("year", "municipality", "step", "channel", "conclusion", "form", "sector")
_MATCHES = " AND ".join(f"{k} = OLD.{k}" for k in _GROUP_KEY)
_KEYS = ", ".join(_GROUP_KEY)
_STATISTICS = [
    f"""CREATE FUNCTION signal_group_refresh(signal_ids BIGINT[]) RETURNS void {_DEFINER} AS $$
    BEGIN
        DELETE FROM signal_group WHERE signal_id = ANY (signal_ids);
        INSERT INTO signal_group (signal_id, year, municipality, step, channel, conclusion,
                                  form, sector, form_first, sector_first)
        SELECT id, year, municipality, step, channel, conclusion, form, sector,
               (row_number() OVER (PARTITION BY id, form ORDER BY sector COLLATE "C") = 1)::int,
               (row_number() OVER (PARTITION BY id, sector ORDER BY form COLLATE "C") = 1)::int
        FROM (SELECT DISTINCT s.id, s.received_year AS year, s.municipality, s.step, s.channel,
                     coalesce(s.conclusion, '') AS conclusion,
                     coalesce(sf.form, 'onbekend') AS form,
                     CASE WHEN o.id IS NULL THEN '' WHEN o.sector = '' THEN '?'
                          ELSE o.sector END AS sector
              FROM signal s
              LEFT JOIN signal_form sf ON sf.signal_id = s.id
              LEFT JOIN signal_organisation so ON so.signal_id = s.id
              LEFT JOIN organisation o ON o.id = so.organisation_id
              WHERE s.annulled_on IS NULL AND s.id = ANY (signal_ids)) AS pairs;
    END $$""",  # noqa: S608 - fixed names
    # Only the triggers below call it (as the owner); no role may run it on any signal itself.
    "REVOKE EXECUTE ON FUNCTION signal_group_refresh(BIGINT[]) FROM PUBLIC",
    f"""CREATE FUNCTION signal_group_of_signal() RETURNS trigger {_DEFINER} AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            DELETE FROM signal_group WHERE signal_id = OLD.id;
        ELSE
            PERFORM signal_group_refresh(ARRAY[NEW.id]);
        END IF;
        RETURN NULL;
    END $$""",  # noqa: S608 - fixed names
    # signal_form and signal_organisation rows (both have signal_id).
    f"""CREATE FUNCTION signal_group_of_link() RETURNS trigger {_DEFINER} AS $$
    BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            PERFORM signal_group_refresh(ARRAY[OLD.signal_id]);
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            PERFORM signal_group_refresh(ARRAY[NEW.signal_id]);
        END IF;
        RETURN NULL;
    END $$""",  # noqa: S608 - fixed names
    # An organisation's sector changes every signal linked to it. (Removing an organisation
    # removes its links through ON DELETE CASCADE, which fires the link triggers.)
    f"""CREATE FUNCTION signal_group_of_sector() RETURNS trigger {_DEFINER} AS $$
    BEGIN
        PERFORM signal_group_refresh(ARRAY(
            SELECT signal_id FROM signal_organisation WHERE organisation_id = NEW.id));
        RETURN NULL;
    END $$""",  # noqa: S608 - fixed names
    f"""CREATE FUNCTION signal_group_count_added() RETURNS trigger {_DEFINER} AS $$
    BEGIN
        INSERT INTO signal_group_count ({_KEYS}, pairs, forms, sectors)
        VALUES ({", ".join("NEW." + k for k in _GROUP_KEY)}, 1, NEW.form_first, NEW.sector_first)
        ON CONFLICT ({_KEYS}) DO UPDATE SET pairs = signal_group_count.pairs + 1,
            forms = signal_group_count.forms + excluded.forms,
            sectors = signal_group_count.sectors + excluded.sectors;
        RETURN NULL;
    END $$""",  # noqa: S608 - fixed names
    f"""CREATE FUNCTION signal_group_count_removed() RETURNS trigger {_DEFINER} AS $$
    BEGIN
        UPDATE signal_group_count SET pairs = pairs - 1, forms = forms - OLD.form_first,
            sectors = sectors - OLD.sector_first WHERE {_MATCHES};
        DELETE FROM signal_group_count WHERE {_MATCHES} AND pairs = 0;
        RETURN NULL;
    END $$""",  # noqa: S608 - fixed names
    "CREATE TRIGGER signal_group_added AFTER INSERT ON signal_group FOR EACH ROW "
    "EXECUTE FUNCTION signal_group_count_added()",
    "CREATE TRIGGER signal_group_removed AFTER DELETE ON signal_group FOR EACH ROW "
    "EXECUTE FUNCTION signal_group_count_removed()",
    "CREATE TRIGGER signal_group_on_insert AFTER INSERT ON signal FOR EACH ROW "
    "EXECUTE FUNCTION signal_group_of_signal()",
    # SQLite fires on an UPDATE naming these columns; received_on is added because here the
    # year follows it in a BEFORE trigger (an UPDATE OF list ignores what such triggers set).
    "CREATE TRIGGER signal_group_on_update AFTER UPDATE OF received_on, received_year, "
    "annulled_on, municipality, step, channel, conclusion ON signal FOR EACH ROW "
    "EXECUTE FUNCTION signal_group_of_signal()",
    "CREATE TRIGGER signal_group_on_delete AFTER DELETE ON signal FOR EACH ROW "
    "EXECUTE FUNCTION signal_group_of_signal()",
    "CREATE TRIGGER signal_group_form_added AFTER INSERT ON signal_form FOR EACH ROW "
    "EXECUTE FUNCTION signal_group_of_link()",
    "CREATE TRIGGER signal_group_form_removed AFTER DELETE ON signal_form FOR EACH ROW "
    "EXECUTE FUNCTION signal_group_of_link()",
    "CREATE TRIGGER signal_group_form_changed AFTER UPDATE ON signal_form FOR EACH ROW "
    "EXECUTE FUNCTION signal_group_of_link()",
    "CREATE TRIGGER signal_group_link_added AFTER INSERT ON signal_organisation FOR EACH ROW "
    "EXECUTE FUNCTION signal_group_of_link()",
    "CREATE TRIGGER signal_group_link_removed AFTER DELETE ON signal_organisation "
    "FOR EACH ROW EXECUTE FUNCTION signal_group_of_link()",
    "CREATE TRIGGER signal_group_link_changed AFTER UPDATE ON signal_organisation "
    "FOR EACH ROW EXECUTE FUNCTION signal_group_of_link()",
    "CREATE TRIGGER signal_group_sector_changed AFTER UPDATE OF sector ON organisation "
    "FOR EACH ROW EXECUTE FUNCTION signal_group_of_sector()",
]

STATEMENTS: tuple[str, ...] = (
    # Pin the search_path for this transaction to the schema the tables go in (and pg_temp
    # last); every function below keeps it (SET search_path FROM CURRENT).
    "SELECT set_config('search_path', quote_ident(current_schema()) || ', pg_temp', true)",
    *_TABLES,
    *_id_triggers(),
    *_AUDIT,
    *_RECEIVED_YEAR,
    *_TERMS,
    *_ORGANISATION_WORDS,
    *_search_text(),
    *_STATISTICS,
)
