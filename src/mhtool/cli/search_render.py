"""Drawing search results, earlier matches and entity timelines. User text goes through
`render.text()`, so names or notes can never act as rich markup or terminal escapes."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from mhtool.cli import render
from mhtool.domain.dates import format_date

if TYPE_CHECKING:
    from mhtool.services.earlier_records import EntityCheck
    from mhtool.services.search_hits import SearchHit, SignalLink
    from mhtool.services.timelines import EntityTimeline


def signal_links(links: Sequence[SignalLink]) -> str:
    parts = []
    for s in links:
        role = f", {s.role}" if s.role else ""
        state = "VERVALLEN" if s.annulled else f"stap {int(s.step)}"
        parts.append(f"{s.ref} ({format_date(s.received_on)}, {state}{role})")
    return "; ".join(parts)


def hits_list(hits: Sequence[SearchHit]) -> None:
    """Plain text, one block per match, best first: readable at any terminal width, and
    without building a rich table (which costs more than the search itself)."""
    out: list[str] = []
    for h in hits:
        ident = f" {h.entity_id}" if h.entity_id is not None else ""
        out.append(f"{h.score:>3}  {h.kind}{ident}: {render.safe(h.label)}\n")
        out.append(f"     waarom: {render.safe('; '.join(h.reasons))}\n")
        out.append(f"     signalen: {render.safe(signal_links(h.signals))}\n")
    sys.stdout.write("".join(out))


def hit_line(h: SearchHit) -> str:
    """One plain line per match, for notices on stderr and choices in the form."""
    ident = f" {h.entity_id}" if h.entity_id is not None else ""
    return (
        f"{h.kind}{ident}: {h.label} — score {h.score} ({'; '.join(h.reasons)}) — "
        f"{signal_links(h.signals)}"
    )


def checks_notice(checks: Sequence[EntityCheck], *, stderr: bool) -> int:
    """Print the earlier matches per searched item; returns how many items had matches."""
    stream = sys.stderr if stderr else sys.stdout
    shown = 0
    for check in checks:
        if not check.hits:
            continue
        shown += 1
        stream.write(render.safe(f"Eerdere registraties voor {check.searched}:") + "\n")
        for h in check.hits:
            stream.write(render.safe(f"  - {hit_line(h)}") + "\n")
    stream.flush()
    return shown


def timeline(t: EntityTimeline) -> None:
    from rich.table import Table

    out = render.console()
    out.print(render.text(f"{t.kind.capitalize()} {t.entity_id}: {t.label}", "bold"))
    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="bold")
    facts.add_column()
    for key, value in t.facts.items():
        if value not in (None, ""):
            shown = format_date(value) if key == "geboortedatum" else value
            label = render.DISPLAY_LABELS.get(key, key.capitalize())
            facts.add_row(label, render.text(shown))
    out.print(facts)
    out.print(render.text("Signalen", "bold"))
    signals = render.compact_table()
    for column in ("Signaal", "Ontvangen", "Gemeente", "Stap", "Rol"):
        signals.add_column(column, no_wrap=column != "Gemeente")
    for s in t.signals:
        signals.add_row(
            s.ref,
            format_date(s.received_on),
            render.text(s.municipality),
            "VERVALLEN" if s.annulled else render.step_short(s.step, s.conclusion),
            render.text(s.role or ""),
        )
    out.print(signals)
    out.print(render.text("Tijdlijn", "bold"))
    events = render.compact_table()
    for column in ("Datum", "Signaal", "Wat"):
        events.add_column(column, no_wrap=column != "Wat")
    for e in t.timeline:
        events.add_row(format_date(e.on_date), e.ref, render.text(e.what))
    out.print(events)
    if t.history:
        from mhtool.domain.views import HISTORY_ACTIONS

        changes = Table(title="Historie", title_justify="left", header_style="bold")
        for column in ("Tijdstip", "Door", "Actie", "Signaal", "Wijziging"):
            changes.add_column(column)
        for h in t.history:
            changes.add_row(
                render.text(render.format_moment(h.at)),
                render.text(h.by_user),
                render.text(HISTORY_ACTIONS.get(h.action, h.action)),
                h.ref or "",
                render.text(render.describe_changes(h.changes)),
            )
        out.print(changes)
    if t.related:
        related = Table(title="Samen genoemd met", title_justify="left", header_style="bold")
        for column in ("Soort", "id", "Omschrijving", "Signalen"):
            related.add_column(column)
        for r in t.related:
            related.add_row(r.kind, str(r.entity_id), render.text(r.label), ", ".join(r.refs))
        out.print(related)
