"""Who gets which role on a shared server: the plan `mhtool server rollen` turns into SQL.

Pure: the options as the beheerder typed them, in order, become one `RoleGrant` per login. A
`--gemeente` belongs to the `--functionaris` or `--lezer` named before it, so one command can
give several officers different gemeenten without any of them getting another's.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from mhtool.domain.municipalities import resolve_municipality
from mhtool.errors import ValidationError

FUNCTIONARIS = "functionaris"
LEZER = "lezer"
REGIO = "regio"
GEMEENTE = "gemeente"
KINDS = (FUNCTIONARIS, LEZER, REGIO)

# Login names: what PostgreSQL accepts without quoting trouble and what a history row can show.
# Lower case, as libpq folds nothing in a URL but psql users type names unquoted.
_LOGIN = re.compile(r"^[a-z][a-z0-9_.@-]{0,62}$")
_RESERVED_PREFIXES = ("pg_", "mhtool_")
_RESERVED = frozenset({"public", "postgres", "none", "current_user", "session_user", "all"})


@dataclass(frozen=True)
class RoleGrant:
    """One login role: its group (functionaris, lezer or regio) and the gemeenten it sees."""

    login: str
    kind: str
    municipalities: tuple[str, ...] = ()


def check_login(name: str) -> str:
    """A login name the SQL can use as it is; a Dutch sentence saying why not otherwise."""
    cleaned = name.strip()
    if not _LOGIN.match(cleaned):
        raise ValidationError(
            f"'{cleaned[:40]}' kan geen inlognaam zijn: gebruik kleine letters, cijfers en _ . @ - "
            "(beginnend met een letter, hoogstens 63 tekens), bijvoorbeeld 'j.devries'."
        )
    if cleaned in _RESERVED or cleaned.startswith(_RESERVED_PREFIXES):
        raise ValidationError(
            f"'{cleaned}' is een gereserveerde naam op de server; kies een andere inlognaam."
        )
    return cleaned


def plan_grants(options: Sequence[tuple[str, str]]) -> tuple[RoleGrant, ...]:
    """(option, value) pairs in command-line order -> one grant per login, in order.

    Each gemeente goes to the functionaris or lezer named last before it; a gemeente before any
    of them, or after a regio login (which sees every gemeente, as figures only), is refused, as
    is a login named twice with different roles. A lezer without gemeenten of its own gets
    those of the functionarissen in the same command."""
    logins: list[str] = []
    kinds: dict[str, str] = {}
    places: dict[str, list[str]] = {}
    current: str | None = None
    for option, value in options:
        if option == GEMEENTE:
            if current is None or kinds[current] == REGIO:
                raise ValidationError(
                    "Zet elke --gemeente direct na de --functionaris of --lezer voor wie die "
                    "gemeente is (een regio-rol ziet alleen cijfers van alle gemeenten)."
                )
            place = resolve_municipality(value)
            if place not in places[current]:
                places[current].append(place)
            continue
        if option not in KINDS:
            raise ValueError(option)
        login = check_login(value)
        if login in kinds and kinds[login] != option:
            raise ValidationError(
                f"'{login}' staat er twee keer in, als {kinds[login]} en als {option}; een "
                "inlognaam hoort bij één rol."
            )
        if login not in kinds:
            logins.append(login)
            kinds[login] = option
            places[login] = []
        current = login
    # A reader named without gemeenten stands in for the functionarissen of this command (a
    # vervanger): they read those gemeenten.
    officers_places = [p for login in logins if kinds[login] == FUNCTIONARIS for p in places[login]]
    for login in logins:
        if kinds[login] == LEZER and not places[login]:
            places[login] = list(dict.fromkeys(officers_places))
    return tuple(RoleGrant(login, kinds[login], tuple(places[login])) for login in logins)
