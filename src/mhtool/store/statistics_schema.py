"""Schema of migration 11: indexes for `signaal lijst`, and counts for `statistiek --per vorm`
and `--per sector` kept up to date by triggers.

Forms and sectors live in link tables, so counting them joined a million signals to their
forms or organisations and sorted the result (1.4-2 s at 1M signals). Now:

* `signal_group` holds, per signal, its distinct (form, sector) pairs exactly as the old
  LEFT JOINs produced them (no form -> 'onbekend'; no organisation -> ''; an organisation
  without sector -> '?'), with the signal's year, gemeente, step, channel and conclusion, and
  two marks: `form_first` on one row per (signal, form), `sector_first` on one row per
  (signal, sector). Summing a mark counts each signal once per form or per sector, as the old
  count(*) and count(DISTINCT signal) did.
* `signal_group_count` adds those rows up per (year, gemeente, step, channel, conclusion,
  form, sector): a few thousand rows that `statistiek` reads instead of the link tables.

Triggers rebuild a signal's `signal_group` rows whenever anything they derive from changes
(the signal's own columns, its forms, its organisation links, an organisation's sector), and
`signal_group_count` follows every row added or removed, so no write path can forget them.
"""

from __future__ import annotations

from mhtool.store.connection import Store

# A signal's rows. `{where}` is a fixed condition on s.id (NEW.x / OLD.x inside a trigger).
_GROUP_ROWS = """
    INSERT INTO signal_group (signal_id, year, municipality, step, channel, conclusion, form,
                              sector, form_first, sector_first)
    SELECT id, year, municipality, step, channel, conclusion, form, sector,
           row_number() OVER (PARTITION BY id, form ORDER BY sector) = 1,
           row_number() OVER (PARTITION BY id, sector ORDER BY form) = 1
    FROM (SELECT DISTINCT s.id, s.received_year AS year, s.municipality, s.step, s.channel,
                 coalesce(s.conclusion, '') AS conclusion,
                 coalesce(sf.form, 'onbekend') AS form,
                 CASE WHEN o.id IS NULL THEN '' WHEN o.sector = '' THEN '?' ELSE o.sector END
                     AS sector
          FROM signal s
          LEFT JOIN signal_form sf ON sf.signal_id = s.id
          LEFT JOIN signal_organisation so ON so.signal_id = s.id
          LEFT JOIN organisation o ON o.id = so.organisation_id
          WHERE s.annulled_on IS NULL {where})"""

_KEY = ("year", "municipality", "step", "channel", "conclusion", "form", "sector")


def _group_rows(where: str) -> str:
    """The INSERT for the signals selected by `where` (a fixed condition on s.id, or ''):
    counted in their statistics year (`received_year`), annulled signals not at all, as the
    other statistics do (migration 7)."""
    return _GROUP_ROWS.format(where=f"AND {where}" if where else "")


def _refresh(signals: str) -> str:
    """Rebuild the rows of the signals `s.id {signals}` (e.g. '= NEW.id')."""
    return (
        f"DELETE FROM signal_group WHERE signal_id {signals};"  # noqa: S608 - fixed text
        + _group_rows(f"s.id {signals}")
        + ";"
    )


def create_statistics_schema(store: Store) -> None:
    """Create the list indexes and the count tables, fill them, then add the triggers."""
    watched = "received_year, annulled_on, municipality, step, channel, conclusion"
    for sql in (
        # signaal lijst: the open/closed split and its order by step_since, for signals that
        # are not annulled (the default). Partial, so no other query with `annulled_on IS
        # NULL` is drawn to them (an index leading with annulled_on made the statistics and the
        # weekly report walk it: 10x slower at 1M); annulled_on as the last column makes the
        # counts index-only (without it SQLite read every row to test the column: 130 ms).
        "CREATE INDEX signal_listed ON signal (step, step_since, annulled_on) "
        "WHERE annulled_on IS NULL",
        # signaal lijst --gemeente
        "CREATE INDEX signal_by_municipality ON signal (municipality, step, step_since, "
        "annulled_on) WHERE annulled_on IS NULL",
        # signaal lijst --acuut: acute signals are few; `acute = 1` is written as a literal
        "CREATE INDEX signal_acute ON signal (step, step_since, annulled_on) "
        "WHERE acute = 1 AND annulled_on IS NULL",
        """CREATE TABLE signal_group (
            signal_id INTEGER NOT NULL,
            form TEXT NOT NULL,
            sector TEXT NOT NULL,
            year INTEGER NOT NULL,
            municipality TEXT NOT NULL,
            step INTEGER NOT NULL,
            channel TEXT NOT NULL,
            conclusion TEXT NOT NULL,
            form_first INTEGER NOT NULL,
            sector_first INTEGER NOT NULL,
            PRIMARY KEY (signal_id, form, sector)
        ) STRICT, WITHOUT ROWID""",
        f"""CREATE TABLE signal_group_count (
            year INTEGER NOT NULL,
            municipality TEXT NOT NULL,
            step INTEGER NOT NULL,
            channel TEXT NOT NULL,
            conclusion TEXT NOT NULL,
            form TEXT NOT NULL,
            sector TEXT NOT NULL,
            pairs INTEGER NOT NULL,
            forms INTEGER NOT NULL,
            sectors INTEGER NOT NULL,
            PRIMARY KEY ({", ".join(_KEY)})
        ) STRICT, WITHOUT ROWID""",
    ):
        store.execute(sql)
    # Fill in bulk (a trigger per row would take minutes at 1M signals).
    store.execute(_group_rows(""))
    keys = ", ".join(_KEY)
    store.execute(
        f"INSERT INTO signal_group_count ({keys}, pairs, forms, sectors) "  # noqa: S608
        f"SELECT {keys}, count(*), sum(form_first), sum(sector_first) FROM signal_group "
        f"GROUP BY {keys}"
    )
    matches = " AND ".join(f"{k} = OLD.{k}" for k in _KEY)
    triggers = {
        "signal_group_added AFTER INSERT ON signal_group": (
            f"INSERT INTO signal_group_count ({keys}, pairs, forms, sectors) VALUES "  # noqa: S608
            f"({', '.join('NEW.' + k for k in _KEY)}, 1, NEW.form_first, NEW.sector_first) "
            "ON CONFLICT DO UPDATE SET pairs = pairs + 1, forms = forms + excluded.forms, "
            "sectors = sectors + excluded.sectors;"
        ),
        "signal_group_removed AFTER DELETE ON signal_group": (
            "UPDATE signal_group_count SET pairs = pairs - 1, forms = forms - OLD.form_first, "  # noqa: S608
            f"sectors = sectors - OLD.sector_first WHERE {matches};"
            f"DELETE FROM signal_group_count WHERE {matches} AND pairs = 0;"
        ),
        "signal_group_on_insert AFTER INSERT ON signal": _refresh("= NEW.id"),
        f"signal_group_on_update AFTER UPDATE OF {watched} ON signal": _refresh("= NEW.id"),
        "signal_group_on_delete AFTER DELETE ON signal": (
            "DELETE FROM signal_group WHERE signal_id = OLD.id;"
        ),
        "signal_group_form_added AFTER INSERT ON signal_form": _refresh("= NEW.signal_id"),
        "signal_group_form_removed AFTER DELETE ON signal_form": _refresh("= OLD.signal_id"),
        "signal_group_form_changed AFTER UPDATE ON signal_form": _refresh("= OLD.signal_id")
        + _refresh("= NEW.signal_id"),
        "signal_group_link_added AFTER INSERT ON signal_organisation": _refresh("= NEW.signal_id"),
        "signal_group_link_removed AFTER DELETE ON signal_organisation": _refresh(
            "= OLD.signal_id"
        ),
        "signal_group_link_changed AFTER UPDATE ON signal_organisation": _refresh("= OLD.signal_id")
        + _refresh("= NEW.signal_id"),
    }
    for head, body in triggers.items():
        store.execute(f"CREATE TRIGGER {head} BEGIN {body} END")
    # An organisation's sector changes every signal linked to it. (Removing an organisation
    # removes its links through ON DELETE CASCADE, which fires the link triggers above.)
    linked = "IN (SELECT signal_id FROM signal_organisation WHERE organisation_id = NEW.id)"
    store.execute(
        "CREATE TRIGGER signal_group_sector_changed AFTER UPDATE OF sector ON organisation "
        f"BEGIN {_refresh(linked)} END"
    )
