"""Student ids as directory names that cannot leave the output directory.

An id is kept as it is when it is plain: ASCII letters, digits and ``. _ @ + -``, starting with a
letter or digit, at most 64 characters, not ending in a dot, not one of the files the batch writes
beside the students' directories nor a name Windows reserves, and not equal to another id up to
case (two directories on a case-insensitive file system). Any other id gets a changed name: its
plain characters (Unicode folded to ASCII where it can be) and ``~`` with 12 hex digits of the
SHA-256 of the id. A kept name never contains ``~``, so a changed name never equals a kept one,
and the hash keeps changed names apart. The same ids give the same names on every run.

>>> names = directory_names(["ada", "../etc", "/etc/passwd", "", ".", "Bob", "bob", "summary.csv"])
>>> names["ada"]
'ada'
>>> sorted(v.split("~")[0] for k, v in names.items() if k != "ada")
['Bob', 'bob', 'etc', 'etc_passwd', 'student', 'student', 'summary.csv']
>>> all("/" not in v and "~" in v for k, v in names.items() if k != "ada")
True
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from typing import Iterable

_PLAIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}\Z")
_NOT_PLAIN = re.compile(r"[^A-Za-z0-9._@+-]+")
#: files the batch writes beside the students' directories
OWN_FILES = ("summary.csv", "mistakes.md", "skipped.csv", "students.csv")
_WINDOWS = {"con", "prn", "aux", "nul", *(f"com{k}" for k in range(1, 10)), *(f"lpt{k}" for k in range(1, 10))}
STEM_CHARS = 40
HASH_CHARS = 12


def is_plain(student: str) -> bool:
    """Whether ``student`` can be a directory name as it is (case collisions aside)."""
    return (bool(_PLAIN.match(student)) and not student.endswith(".")
            and student.casefold() not in OWN_FILES and student.split(".")[0].casefold() not in _WINDOWS)


def changed_name(student: str) -> str:
    """The directory name of an id that cannot be used as it is.

    >>> changed_name("../../x")
    'x~9cdf6a50100a'
    >>> changed_name("ｅｖｅ") .startswith("eve~"), len(changed_name("a" * 5000))
    (True, 53)
    """
    digest = hashlib.sha256(student.encode("utf-8", "surrogatepass")).hexdigest()[:HASH_CHARS]
    folded = unicodedata.normalize("NFKD", student).encode("ascii", "ignore").decode("ascii")
    stem = _NOT_PLAIN.sub("_", folded).strip("._-+@")[:STEM_CHARS].rstrip(".")
    return f"{stem or 'student'}~{digest}"


def directory_names(students: Iterable[str]) -> dict[str, str]:
    """A directory name for every distinct id (see the module's docstring)."""
    ids = list(dict.fromkeys(students))
    folded: dict[str, int] = {}
    for s in ids:
        if is_plain(s):
            folded[s.casefold()] = folded.get(s.casefold(), 0) + 1
    return {s: s if is_plain(s) and folded[s.casefold()] == 1 else changed_name(s) for s in ids}
