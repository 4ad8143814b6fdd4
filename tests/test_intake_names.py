"""User-given file names (inbox uploads, CLI arguments) never reach outside their folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracker.intake.validate import safe_join
from tracker.problems import ProblemsFound

HINT = "(fix: give a plain file name such as data.csv, without '..', a leading '/' or a drive letter)"


@pytest.mark.parametrize("name", ["data.csv", "sub/data.csv", "./sub/./data.xlsx", "sub\\data.csv"])
def test_names_inside_the_folder(tmp_path: Path, name: str) -> None:
    assert safe_join(tmp_path, name) == (tmp_path / name.replace("\\", "/")).resolve()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../etc/passwd", f"../etc/passwd: the name leads outside the folder {HINT}"),
        ("sub/../../x.csv", f"sub/../../x.csv: the name leads outside the folder {HINT}"),
        ("..\\..\\x.csv", f"..\\..\\x.csv: the name leads outside the folder {HINT}"),
        ("/etc/passwd", f"/etc/passwd: an absolute path is not allowed here {HINT}"),
        ("C:\\Windows\\win.ini", f"C:\\Windows\\win.ini: an absolute path is not allowed here {HINT}"),
        (
            "\\\\server\\share\\x.csv",
            f"\\\\server\\share\\x.csv: an absolute path is not allowed here {HINT}",
        ),
        (".", f".: the name leads outside the folder {HINT}"),
        ("", f"(empty name): the file name is empty {HINT}"),
        ("a\x00.csv", f"a\\0.csv: the file name holds a NUL byte {HINT}"),
    ],
)
def test_names_that_escape(tmp_path: Path, name: str, expected: str) -> None:
    with pytest.raises(ProblemsFound) as caught:
        safe_join(tmp_path, name)
    assert [str(p) for p in caught.value.problems] == [expected]


def test_symlink_out_of_the_folder(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "link").symlink_to(tmp_path)
    with pytest.raises(ProblemsFound) as caught:
        safe_join(inbox, "link/secret.csv")
    assert [str(p) for p in caught.value.problems] == [
        f"link/secret.csv: the name leads outside the folder {HINT}"
    ]
