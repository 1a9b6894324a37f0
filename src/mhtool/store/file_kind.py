"""Recognising what an existing file is from its bytes alone, before any SQLite driver opens it.

A wrong `--db` must never be "repaired" by SQLite, and each kind of wrong file deserves its own
Dutch sentence. An encrypted (SQLCipher) database has no readable header at all: its first bytes
are a random salt, and the rest is indistinguishable from noise. So without the key the best we
can say is "this looks like an encrypted database": the file is a whole number of pages and its
first bytes have no structure. Text files and other binary files are told apart from that.
"""

from __future__ import annotations

import enum
import os
import stat
from pathlib import Path

from mhtool.errors import DatabaseError

SQLITE_HEADER = b"SQLite format 3\x00"
SAMPLE_BYTES = 4096
# SQLCipher pages are a power of two of at least 512 bytes, and a file is whole pages.
MIN_PAGE_SIZE = 512
# Random bytes show almost every byte value within 1024 bytes (about 251 of 256 on average);
# structured binary formats show far fewer.
RANDOM_SAMPLE = 1024
RANDOM_DISTINCT_BYTES = 200


class FileKind(enum.Enum):
    SQLITE = "sqlite"
    ENCRYPTED = "encrypted"


def inspect_existing_file(path: Path) -> FileKind:
    """Say whether `path` is a plain SQLite file or probably an encrypted one; refuse the rest."""
    if path.is_dir():
        raise DatabaseError(f"{path} is een map, geen databasebestand; geef een bestandsnaam op.")
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            # A pipe or device could block the read or never end.
            raise DatabaseError(
                f"{path} is geen gewoon bestand (maar bijvoorbeeld een pipe of apparaat); geef "
                "het pad van een databasebestand op."
            )
        size = info.st_size
        with path.open("rb") as handle:
            sample = handle.read(SAMPLE_BYTES)
    except PermissionError:
        raise DatabaseError(f"Geen toegang tot {path}; controleer de rechten.") from None
    except OSError:
        raise DatabaseError(f"{path} kan niet worden gelezen; controleer het pad.") from None
    if size == 0:
        raise DatabaseError(
            f"{path} is een leeg bestand (0 bytes), geen mhtool-database; kies een ander pad of "
            "verwijder het lege bestand."
        )
    if sample.startswith(SQLITE_HEADER):
        _check_not_truncated(path, sample)
        return FileKind.SQLITE
    if _looks_like_text(sample):
        raise DatabaseError(
            f"{path} is een tekstbestand, geen mhtool-database; controleer het pad bij --db of "
            "MHTOOL_DB. Er is niets gewijzigd."
        )
    if size % MIN_PAGE_SIZE == 0 and _looks_random(sample):
        return FileKind.ENCRYPTED
    raise DatabaseError(
        f"{path} is geen SQLite-database maar een ander soort bestand; controleer het pad. "
        "Er is niets gewijzigd."
    )


def _looks_like_text(sample: bytes) -> bool:
    if b"\x00" in sample:
        return False
    # The sample may end in the middle of a multi-byte character.
    for cut in range(4):
        try:
            (sample[: len(sample) - cut] if cut else sample).decode("utf-8")
        except UnicodeDecodeError:
            continue
        return True
    return False


def _looks_random(sample: bytes) -> bool:
    head = sample[:RANDOM_SAMPLE]
    return len(head) == RANDOM_SAMPLE and len(set(head)) >= RANDOM_DISTINCT_BYTES


def _check_not_truncated(path: Path, header: bytes) -> None:
    """A file shorter than the page count in its own header lost its end (a cut-off copy).

    The header's page count is only trusted when SQLite itself would trust it ("version-valid-for"
    equals the change counter), and not while a WAL file exists: a checkpoint interrupted by a
    crash may leave the header ahead of the file, and the WAL then repairs it.

    Another process may be checkpointing at this very moment: it writes the header (page 1)
    before the pages that make the file longer, then empties the WAL. So the size is taken after
    the header was read, and a file that looks cut off is looked at once more before it is
    called that (found with 8 writers at once: 1 of 1,600 commands was told its file was cut).
    """
    if len(header) < 100:
        raise DatabaseError(_truncated_message(path))
    for attempt in range(2):
        if attempt:
            try:
                with path.open("rb") as handle:
                    header = handle.read(100)
            except OSError:
                return
        if not _looks_cut(path, header):
            return
    raise DatabaseError(_truncated_message(path))


def _looks_cut(path: Path, header: bytes) -> bool:
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    change_counter = header[24:28]
    page_count = int.from_bytes(header[28:32], "big")
    valid_for = header[92:96]
    if page_count == 0 or change_counter != valid_for:
        return False
    wal = Path(f"{path}-wal")
    try:
        if wal.exists() and os.path.getsize(wal) > 0:
            return False
        size = os.path.getsize(path)
    except OSError:
        return False
    return size < page_size * page_count


def _truncated_message(path: Path) -> str:
    return (
        f"{path} is afgekapt: het bestand is korter dan de database zelf aangeeft (bijvoorbeeld "
        "een onvolledige kopie). Er is niets gewijzigd; zet een back-up terug."
    )
