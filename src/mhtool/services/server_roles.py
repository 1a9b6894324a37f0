"""`mhtool server rollen`: the SQL that gives officers, readers and the region their roles.

By default the SQL is only written out, for the beheerder to read and run as the owner of the
mhtool tables (psql); `apply_roles` runs it over the current connection instead, which must
then be the owner's (with the right to create roles).
"""

from __future__ import annotations

from collections.abc import Sequence

from mhtool.domain.server_roles import FUNCTIONARIS, LEZER, REGIO, RoleGrant
from mhtool.errors import NotAllowedError, ValidationError
from mhtool.store.connection import Store

_KIND_LABEL = {
    FUNCTIONARIS: "functionaris (lezen en schrijven, eigen gemeenten)",
    LEZER: "lezer (alleen lezen, eigen gemeenten; bijvoorbeeld een vervanger)",
    REGIO: "regio (alleen cijfers van alle gemeenten: statistiek en jaarverslag)",
}


def role_sections(grants: Sequence[RoleGrant]) -> list[tuple[str, list[str]]]:
    """(Dutch comment, SQL statements) in the order they must run."""
    from mhtool.store.postgres_security import group_statements, login_statements

    sections = [
        (
            "Groepsrollen mhtool_functionaris, mhtool_lezer en mhtool_regio met hun rechten "
            "in deze database",
            group_statements(),
        )
    ]
    for grant in grants:
        places = ", ".join(grant.municipalities)
        comment = f"{grant.login}: {_KIND_LABEL[grant.kind]}"
        if grant.kind != REGIO:
            comment += f"; gemeenten: {places}" if places else "; geen gemeente toegevoegd"
        sections.append((comment, login_statements(grant.login, grant.kind, grant.municipalities)))
    return sections


def roles_script(grants: Sequence[RoleGrant]) -> str:
    """The whole script as psql runs it: one transaction, safe to run again."""
    from mhtool.store.postgres_security import role_script

    return role_script(role_sections(grants))


def require_server(on_server: bool) -> None:
    """Checked before the database is opened: a file has no roles to make."""
    if not on_server:
        raise ValidationError(
            "Rollen bestaan alleen in een database op een server; --uitvoeren werkt met --db "
            "postgresql://... (of MHTOOL_DB). Zonder --uitvoeren schrijft mhtool de SQL alleen op."
        )


def apply_roles(store: Store, user: str, grants: Sequence[RoleGrant]) -> int:
    """Run the script over this connection (one audited transaction); returns the number of
    statements. Only on a server: a file has no roles."""
    from mhtool.services.audit import audited
    from mhtool.store.postgres_security import apply_statements

    require_server(store.on_server)
    statements = [s for _, section in role_sections(grants) for s in section]
    with audited(store, user, "server.rollen", "server") as note:
        try:
            apply_statements(store, statements)
        except NotAllowedError:
            # The generic refusal speaks to an officer ("vraag de beheerder"); here the one
            # refused is the beheerder, logged in as someone who may not make roles.
            raise NotAllowedError(
                f"U bent aangemeld als {user}; de rollen maakt alleen de eigenaar van de "
                "mhtool-tabellen, met het recht om rollen te maken (CREATEROLE). Gebruik --db "
                "met die eigenaar, of voer de SQL van 'mhtool server rollen' als eigenaar uit "
                "met psql (zie docs/server.md). Er is niets gewijzigd."
            ) from None
        note.details.update(
            {
                "functionarissen": sum(g.kind == FUNCTIONARIS for g in grants),
                "lezers": sum(g.kind == LEZER for g in grants),
                "regio": sum(g.kind == REGIO for g in grants),
            }
        )
    return len(statements)
