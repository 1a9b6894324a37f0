"""Queries for signals and everything linked to them. Every write also lands in `history`."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Generator
from dataclasses import dataclass
from typing import Any

from mhtool.domain.enums import Step
from mhtool.domain.meldroute import Move, MoveKind, StepInput
from mhtool.domain.normalise import city_key, organisation_core_key, person_name_parts
from mhtool.domain.signal_input import AddressInput, NewSignal, OrganisationInput, PersonInput
from mhtool.domain.signal_ref import format_ref
from mhtool.errors import NotFoundError, ValidationError
from mhtool.store.connection import Store, now_iso
from mhtool.store.row_ids import fresh_id


def record_history(
    store: Store,
    user: str,
    action: str,
    entity: str,
    entity_id: int | None,
    signal_id: int | None,
    changes: dict[str, Any],
) -> None:
    """One history row. Every row of one command (one write transaction) gets the same
    change_id: the id of its first row, which is what `mhtool ongedaan` takes back."""
    if store.change_id is None:
        # On a server as the owner (store/postgres_security.py): the officer's view of history
        # is only their own gemeenten', and two commands must never share a change id.
        sql = (
            "SELECT mhtool_next_change_id() AS next"
            if store.dialect == "postgresql"
            else "SELECT coalesce(max(id), 0) + 1 AS next FROM history"
        )
        row = store.row(sql)
        store.change_id = int(row["next"]) if row else 1
    store.insert(
        "history",
        {
            "change_id": store.change_id,
            "at": now_iso(),
            "by_user": user,
            "signal_id": signal_id,
            "entity": entity,
            "entity_id": entity_id,
            "action": action,
            "changes": json.dumps(changes, ensure_ascii=False, sort_keys=True, default=str),
        },
    )


def next_reference(store: Store, year: int) -> tuple[int, str]:
    """Numbers are per year and never reused, even after a signal is destroyed."""
    row = store.row("SELECT last_seq FROM signal_counter WHERE year = ?", (year,))
    seq = (row["last_seq"] if row else 0) + 1
    store.execute(
        "INSERT INTO signal_counter (year, last_seq) VALUES (?, ?) "
        "ON CONFLICT (year) DO UPDATE SET last_seq = excluded.last_seq",
        (year, seq),
    )
    return seq, format_ref(year, seq)


def _next_signal_id(store: Store) -> int:
    """A signal id never used before, also not by a signal taken back with `mhtool ongedaan`
    (whose history rows stay): SQLite would otherwise hand out the highest freed id again and
    the new signal would show the old one's history."""
    if store.dialect == "postgresql":
        # The same computation as the owner (store/postgres_security.py): under row-level
        # security the officer sees only the signals of their own gemeenten.
        row = store.row("SELECT mhtool_next_signal_id() AS next")
    else:
        row = store.row(
            "SELECT max(coalesce((SELECT max(id) FROM signal), 0), "
            "coalesce((SELECT max(signal_id) FROM history), 0)) + 1 AS next"
        )
    return int(row["next"]) if row else 1


def insert_signal(store: Store, new: NewSignal, user: str) -> tuple[int, str]:
    now = now_iso()
    seq, ref = next_reference(store, new.received_on.year)
    record = {
        "id": _next_signal_id(store),
        "ref": ref,
        "year": new.received_on.year,
        "received_year": new.received_on.year,
        "seq": seq,
        "received_on": new.received_on.isoformat(),
        "municipality": new.municipality,
        "reporter": new.reporter,
        "reporter_department": new.reporter_department,
        "channel": new.channel.value,
        "acute": int(new.acute),
        # Set by record_avim below, with its own event and history row.
        "avim_informed_at": None,
        "description": new.description,
        "step": 1,
        "step_since": new.received_on.isoformat(),
        "created_at": now,
        "created_by": user,
        "updated_at": now,
    }
    signal_id = store.insert("signal", record)
    for form in new.forms:
        store.insert("signal_form", {"signal_id": signal_id, "form": form.value})
    # The forms live in signal_form; listed here so the history holds the whole new signal.
    forms = sorted(f.value for f in new.forms)
    record_history(
        store, user, "aangemaakt", "signal", signal_id, signal_id, {**record, "vormen": forms}
    )
    insert_event(
        store,
        signal_id,
        Move(MoveKind.RECEIVED, from_step=None, to_step=Step.RECEIVED),
        StepInput(on_date=new.received_on, note=f"kanaal: {new.channel.label}"),
        user,
        {},
    )
    for person in new.persons:
        link_person(store, signal_id, person, user)
    for address in new.addresses:
        link_address(store, signal_id, address, user)
    for organisation in new.organisations:
        link_organisation(store, signal_id, organisation, user)
    if new.avim_informed_at is not None:
        record_avim(store, signal_id, new.avim_informed_at, user)
    return signal_id, ref


def _require(store: Store, table: str, entity_id: int, what: str) -> None:
    # `table` is always one of our literal table names, never user text.
    if store.row(f"SELECT 1 AS found FROM {table} WHERE id = ?", (entity_id,)) is None:  # noqa: S608
        raise NotFoundError(f"{what} met id {entity_id} bestaat niet; controleer het id.")


def _refuse_double_link(
    store: Store, table: str, column: str, signal_id: int, entity_id: int, what: str
) -> None:
    """Linking twice would silently change a role or do nothing; say so instead."""
    # `table` and `column` are literals from this module, never user text.
    found = store.row(
        f"SELECT 1 AS found FROM {table} WHERE signal_id = ? AND {column} = ?",  # noqa: S608
        (signal_id, entity_id),
    )
    if found is None:
        return
    if table != "signal_person":
        raise ValidationError(
            f"{what} {entity_id} is al gekoppeld aan dit signaal; er is niets gewijzigd."
        )
    ref = store.row("SELECT ref FROM signal WHERE id = ?", (signal_id,))
    raise ValidationError(
        f"{what} {entity_id} is al gekoppeld aan dit signaal; een andere rol geeft u met "
        f'\'mhtool signaal wijzig {ref["ref"] if ref else "..."} --rol "id={entity_id}; rol=..." '
        "--reden ...'."
    )


def person_record(person: PersonInput) -> dict[str, Any]:
    """The stored columns of a person, search keys included (new or corrected)."""
    given, initial, surname = person_name_parts(person.name)
    return {
        "name": person.name,
        "name_key": person.name_key,
        "given_key": given,
        "initial": initial,
        "surname_key": surname,
        "birth_date": person.birth_date.isoformat() if person.birth_date else None,
        "birth_year": person.birth_year,
        "nationality": person.nationality,
    }


def address_record(address: AddressInput) -> dict[str, Any]:
    """The stored columns of an address, search keys included (new or corrected)."""
    return {
        "street": address.street,
        "street_key": address.street_key,
        "house_number": address.house_number,
        "house_addition": address.house_addition,
        "house_key": address.house_key,
        "postcode": address.postcode,
        "city": address.city,
        "city_key": city_key(address.city),
    }


def organisation_record(organisation: OrganisationInput) -> dict[str, Any]:
    """The stored columns of an organisation, search keys included (new or corrected)."""
    return {
        "name": organisation.name,
        "name_key": organisation.name_key,
        "core_key": organisation_core_key(organisation.name),
        "kvk": organisation.kvk,
        "sector": organisation.sector.value if organisation.sector else "",
    }


def link_person(store: Store, signal_id: int, person: PersonInput, user: str) -> int:
    if person.existing_id is not None:
        _require(store, "person", person.existing_id, "Persoon")
        person_id = person.existing_id
    else:
        record = {**person_record(person), "created_at": now_iso()}
        person_id = store.insert("person", {"id": fresh_id(store, "person"), **record})
        record_history(store, user, "aangemaakt", "person", person_id, signal_id, record)
    _refuse_double_link(store, "signal_person", "person_id", signal_id, person_id, "Persoon")
    store.execute(
        "INSERT INTO signal_person (signal_id, person_id, role) VALUES (?, ?, ?)",
        (signal_id, person_id, person.role.value),
    )
    record_history(
        store, user, "gekoppeld", "person", person_id, signal_id, {"rol": person.role.value}
    )
    return person_id


def link_address(store: Store, signal_id: int, address: AddressInput, user: str) -> int:
    if address.existing_id is not None:
        _require(store, "address", address.existing_id, "Adres")
        address_id = address.existing_id
    else:
        record = {**address_record(address), "created_at": now_iso()}
        address_id = store.insert("address", {"id": fresh_id(store, "address"), **record})
        record_history(store, user, "aangemaakt", "address", address_id, signal_id, record)
    _refuse_double_link(store, "signal_address", "address_id", signal_id, address_id, "Adres")
    store.execute(
        "INSERT INTO signal_address (signal_id, address_id) VALUES (?, ?)",
        (signal_id, address_id),
    )
    record_history(store, user, "gekoppeld", "address", address_id, signal_id, {})
    return address_id


def link_organisation(
    store: Store, signal_id: int, organisation: OrganisationInput, user: str
) -> int:
    if organisation.existing_id is not None:
        _require(store, "organisation", organisation.existing_id, "Organisatie")
        organisation_id = organisation.existing_id
    else:
        record = {**organisation_record(organisation), "created_at": now_iso()}
        organisation_id = store.insert(
            "organisation", {"id": fresh_id(store, "organisation"), **record}
        )
        record_history(
            store, user, "aangemaakt", "organisation", organisation_id, signal_id, record
        )
    _refuse_double_link(
        store, "signal_organisation", "organisation_id", signal_id, organisation_id, "Organisatie"
    )
    store.execute(
        "INSERT INTO signal_organisation (signal_id, organisation_id) VALUES (?, ?)",
        (signal_id, organisation_id),
    )
    record_history(store, user, "gekoppeld", "organisation", organisation_id, signal_id, {})
    return organisation_id


def insert_event(
    store: Store,
    signal_id: int,
    move: Move,
    given: StepInput,
    user: str,
    details: dict[str, Any],
) -> int:
    record = {
        "signal_id": signal_id,
        "kind": move.kind.value,
        "from_step": int(move.from_step) if move.from_step is not None else None,
        "to_step": int(move.to_step) if move.to_step is not None else None,
        "on_date": given.on_date.isoformat(),
        "by_user": user,
        "note": given.note.strip(),
        "reason": given.reason.strip(),
        "details": json.dumps(details, ensure_ascii=False, sort_keys=True),
        "recorded_at": now_iso(),
    }
    event_id = store.insert("step_event", {"id": fresh_id(store, "step_event"), **record})
    record_history(store, user, "aangemaakt", "step_event", event_id, signal_id, record)
    return event_id


def record_avim(store: Store, signal_id: int, moment: dt.datetime, user: str) -> None:
    value = moment.isoformat(timespec="minutes")
    before = store.row("SELECT avim_informed_at FROM signal WHERE id = ?", (signal_id,))
    earlier = before["avim_informed_at"] if before else None
    store.execute(
        "UPDATE signal SET avim_informed_at = ?, updated_at = ? WHERE id = ?",
        (value, now_iso(), signal_id),
    )
    insert_event(
        store,
        signal_id,
        Move(MoveKind.AVIM, from_step=None, to_step=None),
        StepInput(on_date=moment.date(), note="AVIM (politie) ingeschakeld"),
        user,
        {"avim_geinformeerd": value},
    )
    record_history(
        store,
        user,
        "avim-geinformeerd",
        "signal",
        signal_id,
        signal_id,
        {"avim_informed_at": {"oud": earlier, "nieuw": value}},
    )


def update_row(
    store: Store,
    table: str,
    entity: str,
    row_id: int,
    signal_id: int | None,
    changes: dict[str, Any],
    user: str,
    action: str,
    extra: dict[str, Any] | None = None,
) -> None:
    """Apply `changes` to one row of `table` and record old and new values in a history row of
    `entity` (the shape `mhtool ongedaan` takes back: {column: {"oud": ..., "nieuw": ...}})."""
    # `table` is always one of our literal table names, never user text.
    before = store.row(f"SELECT * FROM {table} WHERE id = ?", (row_id,)) or {}  # noqa: S608
    store.update(table, row_id, changes)
    diff = {k: {"oud": before.get(k), "nieuw": v} for k, v in changes.items() if before.get(k) != v}
    record_history(store, user, action, entity, row_id, signal_id, {**diff, **(extra or {})})


def receipt_event(store: Store, signal_id: int) -> dict[str, Any] | None:
    """The 'ontvangst' step event, whose date is the receipt date."""
    return store.row(
        "SELECT * FROM step_event WHERE signal_id = ? AND kind = 'ontvangst' ORDER BY id LIMIT 1",
        (signal_id,),
    )


def latest_dates(store: Store, signal_id: int) -> dict[str, str | None]:
    """The earliest date of everything recorded after the receipt: a corrected receipt date
    may not lie after any of them."""
    row = store.row(
        "SELECT (SELECT min(on_date) FROM step_event WHERE signal_id = :id "
        "AND kind NOT IN ('ontvangst', 'avim')) AS event, "
        "(SELECT min(on_date) FROM step_event WHERE signal_id = :id AND kind = 'avim') AS avim, "
        "(SELECT min(on_date) FROM note WHERE signal_id = :id) AS note, "
        "(SELECT min(created_on) FROM follow_up_action WHERE signal_id = :id) AS action, "
        "(SELECT min(on_date) FROM outcome WHERE signal_id = :id) AS outcome",
        {"id": signal_id},
    )
    return dict(row) if row else {}


def update_signal(
    store: Store,
    signal_id: int,
    changes: dict[str, Any],
    user: str,
    action: str,
    extra: dict[str, Any] | None = None,
) -> None:
    """Apply `changes` to the signal row and record old and new values (plus `extra`, such as
    the reason) in one history row."""
    before = store.row("SELECT * FROM signal WHERE id = ?", (signal_id,)) or {}
    values = dict(changes, updated_at=now_iso())
    store.update("signal", signal_id, values)
    diff = {k: {"oud": before.get(k), "nieuw": v} for k, v in changes.items() if before.get(k) != v}
    record_history(store, user, action, "signal", signal_id, signal_id, {**diff, **(extra or {})})


def replace_measures(store: Store, signal_id: int, measures: list[str]) -> list[str]:
    """Replace the measures; returns the ones before, for the history row of the change."""
    before = [
        r["measure"]
        for r in store.rows(
            "SELECT measure FROM signal_measure WHERE signal_id = ? ORDER BY measure", (signal_id,)
        )
    ]
    store.execute("DELETE FROM signal_measure WHERE signal_id = ?", (signal_id,))
    for measure in measures:
        store.execute(
            "INSERT INTO signal_measure (signal_id, measure) VALUES (?, ?)", (signal_id, measure)
        )
    return before


def insert_note(store: Store, signal_id: int, on_date: dt.date, text: str, user: str) -> int:
    record = {
        "signal_id": signal_id,
        "on_date": on_date.isoformat(),
        "by_user": user,
        "text": text,
        "created_at": now_iso(),
    }
    note_id = store.insert("note", {"id": fresh_id(store, "note"), **record})
    record_history(store, user, "notitie", "note", note_id, signal_id, {"datum": record["on_date"]})
    return note_id


def find_signal(store: Store, ref: str) -> dict[str, Any]:
    row = store.row("SELECT * FROM signal WHERE ref = ?", (ref,))
    if row is None:
        raise NotFoundError(f"Signaal {ref} bestaat niet; zie 'mhtool signaal lijst'.")
    return row


def signal_children(store: Store, signal_id: int) -> dict[str, list[dict[str, Any]]]:
    """Everything linked to one signal, in display order."""
    return {
        "forms": store.rows(
            "SELECT form FROM signal_form WHERE signal_id = ? ORDER BY form", (signal_id,)
        ),
        "measures": store.rows(
            "SELECT measure FROM signal_measure WHERE signal_id = ? ORDER BY measure", (signal_id,)
        ),
        "persons": store.rows(
            "SELECT p.*, sp.role FROM signal_person sp JOIN person p ON p.id = sp.person_id "
            "WHERE sp.signal_id = ? ORDER BY p.id",
            (signal_id,),
        ),
        "addresses": store.rows(
            "SELECT a.* FROM signal_address sa JOIN address a ON a.id = sa.address_id "
            "WHERE sa.signal_id = ? ORDER BY a.id",
            (signal_id,),
        ),
        "organisations": store.rows(
            "SELECT o.* FROM signal_organisation so "
            "JOIN organisation o ON o.id = so.organisation_id "
            "WHERE so.signal_id = ? ORDER BY o.id",
            (signal_id,),
        ),
        "events": store.rows(
            "SELECT * FROM step_event WHERE signal_id = ? ORDER BY id", (signal_id,)
        ),
        "notes": store.rows("SELECT * FROM note WHERE signal_id = ? ORDER BY id", (signal_id,)),
        "history": store.rows(
            "SELECT id, at, by_user, entity, entity_id, action, changes FROM history "
            "WHERE signal_id = ? ORDER BY id",
            (signal_id,),
        ),
    }


@dataclass(frozen=True)
class SignalFilter:
    step: int | None = None
    municipality: str | None = None
    form: str | None = None
    year: int | None = None
    open_only: bool = False
    closed_only: bool = False
    acute_only: bool = False
    with_annulled: bool = False

    def used(self) -> bool:
        return self != SignalFilter()


# What "open" means, in one place for the list, its counts, `info` and the agenda. The two
# conditions must stay each other's complement: the list shows the open part, then the closed
# part. Open = in the meldroute (step 1-4) or closed with a follow-up action that is not done
# (plan flowchart: "verder onderzoek" leads to actie/vervolg). The open actions are a
# subquery SQLite evaluates once (partial index follow_up_open_by_due), so `s.step < 5` keeps
# its index (a multi-index OR) and the closed part stays an index range with one probe per row.
OPEN_ACTIONS = "SELECT fa.signal_id FROM follow_up_action fa WHERE fa.done_on IS NULL"
OPEN_CONDITION = f"(s.step < 5 OR s.id IN ({OPEN_ACTIONS}))"
CLOSED_CONDITION = f"(s.step = 5 AND s.id NOT IN ({OPEN_ACTIONS}))"
# OPEN_CONDITION as disjoint parts, for the list: a multi-index OR looks up every open signal
# in the table (120 ms at 1M signals); each part alone is an index-only range or a few probes.
# Each part with its table hint: the second is read through the few open actions (rowid
# look-ups, NOT INDEXED), never by walking the signals of an index.
OPEN_PARTS = (("", "s.step < 5"), ("NOT INDEXED ", f"s.step = 5 AND s.id IN ({OPEN_ACTIONS})"))

_LIST_COLUMNS = (
    "s.id, s.ref, s.received_on, s.municipality, s.channel, s.acute, s.avim_informed_at, "
    "s.step, s.step_since, s.conclusion, s.closed_on, s.annulled_on, "
    "EXISTS (SELECT 1 FROM follow_up_action fa WHERE fa.signal_id = s.id "
    " AND fa.done_on IS NULL) AS has_open_actions, "
    "EXISTS (SELECT 1 FROM outcome o WHERE o.signal_id = s.id AND o.kind = 'verwijzing') "
    "AS has_referral, "
    "(SELECT group_concat(form, ',') FROM (SELECT form FROM signal_form sf "
    " WHERE sf.signal_id = s.id ORDER BY form)) AS forms"
)
# The same columns on PostgreSQL: EXISTS is a boolean there (cast to SQLite's 0/1, so JSON
# and CSV output are the same), and string_agg orders the forms itself.
_LIST_COLUMNS_POSTGRES = (
    "s.id, s.ref, s.received_on, s.municipality, s.channel, s.acute, s.avim_informed_at, "
    "s.step, s.step_since, s.conclusion, s.closed_on, s.annulled_on, "
    "(EXISTS (SELECT 1 FROM follow_up_action fa WHERE fa.signal_id = s.id "
    " AND fa.done_on IS NULL))::int AS has_open_actions, "
    "(EXISTS (SELECT 1 FROM outcome o WHERE o.signal_id = s.id AND o.kind = 'verwijzing'))::int "
    "AS has_referral, "
    "(SELECT string_agg(form, ',' ORDER BY form) FROM signal_form sf "
    " WHERE sf.signal_id = s.id) AS forms"
)
# Most relevant first: open signals that have waited longest in their step, then closed
# signals, most recently closed first. The closed part follows the index signal_listed
# (step, step_since) or a filter's index (migration 11), so a page never sorts the table; the
# open part sorts only the open signals.
_LIST_ORDER = {True: "s.step_since, s.id", False: "s.step_since DESC, s.id DESC"}


def signal_conditions(f: SignalFilter) -> tuple[list[str], list[Any]]:
    """The WHERE clauses of a filter (fixed strings) and their bound values: the one place
    where a list filter becomes SQL. Every filter is served by an index (a test checks the
    query plans): step, open/closed -> signal_listed; gemeente -> signal_by_municipality;
    jaar -> signal_statistics; vorm -> signal_form_by_form; acuut -> signal_acute. The indexes
    of migration 11 hold only signals that are not annulled and apply because
    `s.annulled_on IS NULL` is written literally (with --met-vervallen the older step index
    serves)."""
    clauses: list[str] = []
    params: list[Any] = []
    if f.step is not None:
        clauses.append("s.step = ?")
        params.append(f.step)
    if f.municipality is not None:
        clauses.append("s.municipality = ?")
        params.append(f.municipality)
    if f.form is not None:
        clauses.append("s.id IN (SELECT sf.signal_id FROM signal_form sf WHERE sf.form = ?)")
        params.append(f.form)
    if not f.with_annulled:
        clauses.append("s.annulled_on IS NULL")
    if f.year is not None:
        # The year of the (corrected) receipt date, as in the statistics.
        clauses.append("s.received_year = ?")
        params.append(f.year)
    if f.open_only:
        clauses.append(OPEN_CONDITION)
    if f.closed_only:
        clauses.append(CLOSED_CONDITION)
    if f.acute_only:
        clauses.append("s.acute = 1")  # a literal, so the partial index signal_acute applies
    return clauses, params


@dataclass(frozen=True)
class ListCounts:
    """How many signals match a filter, split the way the list is ordered."""

    open: int
    closed: int

    @property
    def total(self) -> int:
        return self.open + self.closed


# The closed part's count: all closed signals minus those with an open action. Counting
# CLOSED_CONDITION itself probes the open actions for every closed signal (+100 ms at 1M).
CLOSED_COUNT_PARTS = (("", "s.step = 5"), OPEN_PARTS[1])


def _part_sqls(
    f: SignalFilter,
    open_part: bool,
    what: str,
    parts: tuple[tuple[str, str], ...] | None = None,
    dialect: str = "sqlite",
) -> list[tuple[str, list[Any]]]:
    """The open part as one query per OPEN_PARTS, or the closed part as one query (or the
    given `parts`). PostgreSQL has no table hints: there each part is planned on its own."""
    clauses, params = signal_conditions(f)
    # The part itself says open or closed; the filter's own --open/--afgerond clause adds nothing.
    clauses = [c for c in clauses if c not in (OPEN_CONDITION, CLOSED_CONDITION)]
    if parts is None:
        parts = OPEN_PARTS if open_part else (("", CLOSED_CONDITION),)
    # Only fixed clause strings are joined here; every value is a bound parameter.
    if dialect == "postgresql":
        parts = tuple(("", part) for _, part in parts)
    return [
        (f"SELECT {what} FROM signal s {hint}WHERE " + " AND ".join([*clauses, part]), params)  # noqa: S608
        for hint, part in parts
    ]


def count_listed(store: Store, f: SignalFilter) -> ListCounts:
    """Index-only counts of the open and the closed signals a filter selects."""
    counts = []
    for open_part in (True, False):
        if (open_part and f.closed_only) or (not open_part and f.open_only):
            counts.append(0)
            continue
        found = [
            int(store.execute(sql, tuple(params)).fetchone()[0])
            for sql, params in _part_sqls(
                f,
                open_part,
                "count(*)",
                None if open_part else CLOSED_COUNT_PARTS,
                store.dialect,
            )
        ]
        counts.append(sum(found) if open_part else found[0] - found[1])
    return ListCounts(open=counts[0], closed=counts[1])


def listing_queries(
    f: SignalFilter,
    counts: ListCounts,
    offset: int = 0,
    limit: int | None = None,
    dialect: str = "sqlite",
) -> list[tuple[str, tuple[Any, ...]]]:
    """The page queries, in list order: the open part, then the closed part, each only when
    the page reaches into it. (Also what the query-plan test inspects.)"""
    queries: list[tuple[str, tuple[Any, ...]]] = []
    remaining = counts.total - offset if limit is None else min(limit, counts.total - offset)
    for open_part, size in ((True, counts.open), (False, counts.closed)):
        if remaining <= 0:
            break
        if offset >= size:
            offset -= size
            continue
        columns = _LIST_COLUMNS_POSTGRES if dialect == "postgresql" else _LIST_COLUMNS
        parts = _part_sqls(f, open_part, columns, dialect=dialect)
        sql = " UNION ALL ".join(part for part, _ in parts)
        params = [value for _, part_params in parts for value in part_params]
        # A compound query orders by its result columns (named in _LIST_COLUMNS).
        order = (
            _LIST_ORDER[open_part] if len(parts) == 1 else _LIST_ORDER[open_part].replace("s.", "")
        )
        sql += f" ORDER BY {order} LIMIT ? OFFSET ?"
        taken = min(remaining, size - offset)
        queries.append((sql, (*params, taken, offset)))
        remaining -= taken
        offset = 0
    return queries


def list_signals(
    store: Store,
    f: SignalFilter,
    counts: ListCounts,
    offset: int = 0,
    limit: int | None = None,
) -> Generator[dict[str, Any], None, None]:
    """The rows of one page (or all, limit None) in list order, read as they are consumed:
    a million rows stream through in constant memory (closing the generator early closes
    the server's cursor too)."""
    for sql, params in listing_queries(f, counts, offset, limit, store.dialect):
        yield from store.stream(sql, params)


def count_signals(store: Store) -> tuple[int, int]:
    """(all signals, open signals (OPEN_CONDITION) that are not annulled)."""
    # In the meldroute, plus closed signals with an open action, counted from two indexes
    # instead of probing the actions of every signal.
    signal, actions = "signal", "follow_up_action"
    if store.figures_only:
        # The regional role of a server counts from its views without names or free text.
        from mhtool.store.postgres_security import figure_relation

        signal, actions = figure_relation(True, signal), figure_relation(True, actions)
    # Only the fixed relation names above are put in the text.
    row = store.row(
        f"SELECT (SELECT count(*) FROM {signal}) AS total, "  # noqa: S608
        f"(SELECT count(*) FROM {signal} WHERE step < 5 AND annulled_on IS NULL) + "
        f"(SELECT count(DISTINCT fa.signal_id) FROM {actions} fa "
        f" JOIN {signal} s ON s.id = fa.signal_id WHERE fa.done_on IS NULL AND s.step = 5 "
        " AND s.annulled_on IS NULL) AS open"
    )
    return (int(row["total"]), int(row["open"])) if row else (0, 0)


def step_before_closing(store: Store, signal_id: int) -> int | None:
    """The step a closed signal came from, so `heropen` can return it there."""
    row = store.row(
        "SELECT from_step FROM step_event WHERE signal_id = ? AND to_step = 5 "
        "ORDER BY id DESC LIMIT 1",
        (signal_id,),
    )
    return int(row["from_step"]) if row and row["from_step"] else None


def replace_forms(store: Store, signal_id: int, forms: list[str]) -> None:
    store.execute("DELETE FROM signal_form WHERE signal_id = ?", (signal_id,))
    for form in forms:
        store.execute("INSERT INTO signal_form (signal_id, form) VALUES (?, ?)", (signal_id, form))


def find_entity(store: Store, table: str, entity_id: int) -> dict[str, Any] | None:
    """One person, address or organisation row (`table` is one of those literal names)."""
    if table not in ("person", "address", "organisation"):
        raise ValueError(table)
    return store.row(f"SELECT * FROM {table} WHERE id = ?", (entity_id,))  # noqa: S608


def first_receipt_of_person(store: Store, person_id: int) -> str | None:
    """The earliest receipt date of the signals a person is linked to (none: None)."""
    row = store.row(
        "SELECT min(s.received_on) AS first FROM signal_person sp "
        "JOIN signal s ON s.id = sp.signal_id WHERE sp.person_id = ?",
        (person_id,),
    )
    return row["first"] if row else None


def person_role(store: Store, signal_id: int, person_id: int) -> str | None:
    row = store.row(
        "SELECT role FROM signal_person WHERE signal_id = ? AND person_id = ?",
        (signal_id, person_id),
    )
    return str(row["role"]) if row else None


def set_person_role(store: Store, signal_id: int, person_id: int, role: str) -> None:
    store.execute(
        "UPDATE signal_person SET role = ? WHERE signal_id = ? AND person_id = ?",
        (role, signal_id, person_id),
    )
