"""psycopg errors translated into one Dutch sentence each, by SQLSTATE.

The server's own message text never reaches the user: it may quote values of the statement.
"""

from __future__ import annotations

from mhtool.errors import (
    DatabaseError,
    DatabaseInUseError,
    MhtoolError,
    NotAllowedError,
    ValidationError,
)

IN_USE_MESSAGE = (
    "De database op de server is bezig met het werk van een ander; probeer het zo opnieuw."
)
# A commit can reach the server's disk while its reply is lost with the connection (the crash
# test in tests/test_server_concurrency.py sees it happen), so the user is not told "nothing
# was saved": they are told to look before trying again, or the signal is there twice.
CONNECTION_LOST = (
    "De verbinding met de databaseserver viel weg tijdens deze opdracht, dus het is niet zeker "
    "of ze is opgeslagen; kijk met 'mhtool signaal lijst' of uw laatste wijziging er staat "
    "voordat u het opnieuw probeert, zodat niets dubbel wordt vastgelegd."
)

# SQLSTATE 42501: no grant, or a row-level-security policy said no.
ROLE_REFUSED = (
    "Uw rol op de server staat deze handeling niet toe (bijvoorbeeld alleen lezen, alleen "
    "cijfers, of een gemeente die niet aan u is toegewezen); er is niets gewijzigd. Vraag de "
    "beheerder om de juiste rol (zie docs/server.md)."
)
# The same for a login of the regional role, which reads figures and nothing else.
FIGURES_ONLY = (
    "Uw rol op de server (regio) ziet alleen cijfers, geen signalen of namen: gebruik 'mhtool "
    "statistiek' of 'mhtool jaarverslag'. Er is niets gewijzigd."
)


def is_server_error(error: BaseException) -> bool:
    return type(error).__module__.startswith("psycopg")


def translated_server_error(error: Exception) -> MhtoolError:
    state = getattr(error, "sqlstate", None) or ""
    name = type(error).__name__
    if state.startswith("08") or state in ("57P01", "57P02", "57P03") or _connection_gone(error):
        return DatabaseError(CONNECTION_LOST)
    if state in ("55P03", "40P01", "40001"):
        return DatabaseInUseError(IN_USE_MESSAGE)
    if state == "42501":
        # No grant, or a row-level-security policy: a reader writing, the region asking for
        # signals, an officer writing a signal of a gemeente not assigned to them. Refused,
        # not broken (exit 6), so the refusal itself is audited.
        return NotAllowedError(ROLE_REFUSED)
    if state == "25006":
        return DatabaseError(
            "Uw rol op de server mag alleen lezen; er is niets gewijzigd. Vraag de beheerder "
            "om schrijfrechten als u dit moet kunnen."
        )
    if state.startswith("53"):
        return DatabaseError(
            "De databaseserver heeft geen ruimte of geheugen meer; er is niets opgeslagen. "
            "Meld dit aan de beheerder van de server."
        )
    if state.startswith("23") or name == "IntegrityError":
        return MhtoolError(
            "Deze gegevens botsen met wat er al is vastgelegd (dubbel of niet passend); er is "
            "niets gewijzigd. Controleer de invoer met 'mhtool signaal toon'."
        )
    if state == "57014":
        return DatabaseInUseError(
            "De opdracht is afgebroken (wachttijd verstreken of gestopt); er is niets gewijzigd. "
            "Probeer het opnieuw."
        )
    return DatabaseError(
        "De databaseserver gaf een fout; er is niets gewijzigd. Controleer de verbinding met "
        "'mhtool info' of meld het aan de beheerder."
    )


def _connection_gone(error: Exception) -> bool:
    text = str(error).lower()
    return any(
        part in text
        for part in (
            "server closed the connection",
            "connection is closed",
            "terminating connection",
            "consuming input failed",
            "the connection is lost",
            "ssl syscall",
        )
    )


def connect_error(error: Exception, location: str) -> MhtoolError:
    """Why the connection could not be made, without the server's own words."""
    text = str(error).lower()
    if "password authentication failed" in text or "no password supplied" in text:
        return ValidationError(
            f"De server {location} weigert de aanmelding; controleer gebruikersnaam en "
            "wachtwoord (in .pgpass of met 'mhtool server wachtwoord'), nooit in het adres."
        )
    if "does not exist" in text and "database" in text:
        return DatabaseError(
            f"De database in {location} bestaat niet op de server; laat de beheerder haar "
            "aanmaken (zie docs/server.md) of controleer de naam."
        )
    if "role" in text and "does not exist" in text:
        return ValidationError(
            f"De server {location} kent deze gebruiker niet; vraag de beheerder om een rol "
            "voor u (zie 'mhtool server rollen')."
        )
    if "no pg_hba.conf entry" in text or "not permitted" in text or "permission denied" in text:
        return DatabaseError(
            f"De server {location} laat u niet toe; vraag de beheerder om toegang "
            "(pg_hba.conf en rechten op de database)."
        )
    if "ssl" in text or "certificate" in text:
        return DatabaseError(
            f"De beveiligde verbinding met {location} kon niet worden opgezet (TLS-certificaat); "
            "controleer sslrootcert en de servernaam, of vraag de beheerder."
        )
    if "starting up" in text or "shutting down" in text or "recovery" in text:
        return DatabaseInUseError(
            f"De server {location} start op of stopt; probeer het over een minuut opnieuw."
        )
    return DatabaseError(
        f"Kan geen verbinding maken met de databaseserver {location}; controleer het adres en "
        "of de server draait."
    )
