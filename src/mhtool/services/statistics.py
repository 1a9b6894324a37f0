"""`mhtool statistiek`: counts per municipality and year, and the two tables of plan §1.5."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from mhtool.domain.municipalities import DRIEHOEK_HEERHUGOWAARD, NOORD_HOLLAND_NOORD
from mhtool.domain.selection import region_name
from mhtool.domain.statistics_report import (
    Dimension,
    MonthlyCounts,
    StatisticsReport,
    StatRow,
    TableKind,
    domain_order,
    full_domain,
    value_label,
)
from mhtool.errors import ValidationError
from mhtool.store import statistics as q
from mhtool.store.connection import Store

MAX_THRESHOLD = 100


@dataclass(frozen=True)
class StatisticsRequest:
    """What the officer asked for. `municipalities` None = not given, () = all."""

    table: TableKind = TableKind.MUNICIPALITIES
    years: tuple[int, ...] = ()
    municipalities: tuple[str, ...] | None = None
    per: tuple[Dimension, ...] = ()
    threshold: int | None = None


def check_threshold(threshold: int | None) -> None:
    if threshold is None:
        return
    if not 2 <= threshold <= MAX_THRESHOLD:
        raise ValidationError(
            f"--onderdruk {threshold} kan niet; kies een drempel van 2 tot en met {MAX_THRESHOLD} "
            "(bijvoorbeeld 5: aantallen 1 tot 4 worden '<5')."
        )


def _validate(request: StatisticsRequest) -> None:
    check_threshold(request.threshold)
    if request.table is not TableKind.MUNICIPALITIES and request.per:
        raise ValidationError(
            f"--per past niet bij --tabel {request.table.value}; die tabel heeft de vaste vorm "
            "van het beleidsplan."
        )
    if request.table is TableKind.DRIEHOEK and request.municipalities is not None:
        raise ValidationError(
            "--tabel driehoek toont altijd Dijk en Waard, Hollands Kroon en Koggenland; laat "
            "--gemeente weg."
        )
    if len(set(request.per)) != len(request.per):
        raise ValidationError("Noem elke indeling bij --per maar één keer.")
    if len(request.per) > 2:
        raise ValidationError("Kies bij --per hoogstens twee indelingen tegelijk.")


def _years(store: Store, request: StatisticsRequest) -> tuple[int, ...]:
    """The years asked for, else every year from the first to the last signal in the file."""
    if request.years:
        return request.years
    span = q.year_span(store)
    if span is None:
        return (dt.date.today().year,)
    return tuple(range(span[0], span[1] + 1))


def statistics(store: Store, request: StatisticsRequest) -> StatisticsReport:
    _validate(request)
    with store.read():
        if request.table is TableKind.YEAR_FIGURES:
            return _year_figures(store, request)
        if request.table is TableKind.DRIEHOEK:
            return _driehoek(store, request)
        return _grouped(store, request)


def _year_figures(store: Store, request: StatisticsRequest) -> StatisticsReport:
    scope = NOORD_HOLLAND_NOORD if request.municipalities is None else request.municipalities
    years = _years(store, request)
    figures = q.year_figures(store, years, scope)
    labels = (
        f"Aantal ontvangen signalen {region_name(scope)}",
        "Strafrechtelijk opgepakt",
        "Opvang slachtoffers",
    )
    keys = ("signalen", "strafrechtelijk_opgepakt", "opvang_slachtoffers")
    rows = tuple(
        StatRow((key,), (label,), tuple(figures.get(y, (0, 0, 0))[index] for y in years))
        for index, (key, label) in enumerate(zip(keys, labels, strict=True))
    )
    return _plan_shaped(
        TableKind.YEAR_FIGURES,
        f"Signalen van mensenhandel en -smokkel, {region_name(scope)}",
        "cijfer",
        years,
        rows,
        request,
        tuple(scope),
        footnote="Elk cijfer telt bij het jaar waarin het signaal is ontvangen.",
    )


def _driehoek(store: Store, request: StatisticsRequest) -> StatisticsReport:
    scope = DRIEHOEK_HEERHUGOWAARD
    years = _years(store, request)
    counts = {(y, g): n for y, g, n in q.count_per_group(store, ["gemeente"], years, scope)}
    rows = tuple(StatRow((g,), (g,), tuple(counts.get((y, g), 0) for y in years)) for g in scope)
    return _plan_shaped(
        TableKind.DRIEHOEK,
        "Signalen van mensenhandel en -smokkel per gemeente, driehoek Heerhugowaard",
        "gemeente",
        years,
        rows,
        request,
        scope,
    )


def _plan_shaped(
    kind: TableKind,
    title: str,
    dimension: str,
    years: tuple[int, ...],
    rows: tuple[StatRow, ...],
    request: StatisticsRequest,
    scope: tuple[str, ...],
    footnote: str = "",
) -> StatisticsReport:
    """The plan's tables: first column headed 'Jaar', one column per year, no totals."""
    return StatisticsReport(
        kind=kind,
        title=title,
        headings=("Jaar",),
        dimensions=(dimension,),
        years=years,
        rows=rows,
        year_totals=None,
        with_totals=False,
        threshold=request.threshold,
        municipalities=scope,
        footnote=footnote,
    )


def _grouped(store: Store, request: StatisticsRequest) -> StatisticsReport:
    scope = request.municipalities or ()
    dims = request.per or (Dimension.MUNICIPALITY,)
    names = [d.value for d in dims]
    years = _years(store, request)
    found: dict[tuple[str | int, ...], dict[int, int]] = {}
    for year, *keys, count in q.count_per_group(store, names, years, scope):
        found.setdefault(tuple(keys), {})[int(year)] = int(count)
    if len(dims) == 1:
        domain = list(scope) if dims[0] is Dimension.MUNICIPALITY else list(full_domain(dims[0]))
        for value in domain:
            found.setdefault((value,), {})

    def order(keys: tuple[str | int, ...]) -> tuple[tuple[int, str], ...]:
        return tuple(domain_order(d, k) for d, k in zip(dims, keys, strict=True))

    rows = tuple(
        StatRow(
            keys,
            tuple(value_label(d, k) for d, k in zip(dims, keys, strict=True)),
            tuple(found[keys].get(y, 0) for y in years),
        )
        for keys in sorted(found, key=order)
    )
    if any(d.multi_valued for d in dims):
        per_year = q.count_per_year(store, years, scope)
    else:
        # Every signal falls in exactly one row, so the rows add up to the year's total.
        per_year = {y: sum(row.counts[i] for row in rows) for i, y in enumerate(years)}
    what = ", ".join(d.value for d in dims)
    return StatisticsReport(
        kind=TableKind.MUNICIPALITIES,
        title=f"Signalen per {what} en jaar, {region_name(scope)}",
        headings=tuple(d.heading for d in dims),
        dimensions=tuple(names),
        years=years,
        rows=rows,
        year_totals=tuple(per_year.get(y, 0) for y in years),
        with_totals=True,
        threshold=request.threshold,
        municipalities=scope,
    )


def monthly_counts(
    store: Store, years: tuple[int, ...], municipalities: tuple[str, ...] | None
) -> MonthlyCounts:
    """Signals per month per municipality; months after the current one are left out."""
    scope = municipalities or ()
    with store.read():
        chosen = years or _years(store, StatisticsRequest())
        rows = q.count_per_month(store, chosen, scope)
    today = dt.date.today()
    months = tuple(
        f"{y}-{m:02d}" for y in chosen for m in range(1, 13) if (y, m) <= (today.year, today.month)
    )
    counts = {(month, g): n for month, g, n in rows}
    present = sorted({g for _, g in counts})
    shown = tuple(sorted(set(scope))) if scope else tuple(present)
    return MonthlyCounts(months=months, municipalities=shown, counts=counts)
