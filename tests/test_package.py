"""The tool as a city installs it: the sdist and the wheel built from it, installed into a fresh virtual
environment (not an editable checkout), run on project folders outside the repository.

No network: the build runs without isolation (``build`` and ``hatchling`` are test extras), the wheel is
installed with ``--no-deps``, and its dependencies are made visible by a ``.pth`` line naming this test
environment's site-packages. Python does not process the ``.pth`` files of a folder reached that way, so the
editable install of this checkout stays invisible: ``tracker`` can only come from the wheel.
"""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
import sysconfig
import tarfile
import urllib.request
import venv
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

import tracker

REPO = Path(__file__).resolve().parents[1]
SAMPLE = Path(__file__).resolve().parents[2] / "shared" / "data" / "opensdg-cif-sample"

pytestmark = pytest.mark.slow
CIF_OBJECTIVES = """\
objectives:
  - id: cif
    number: 1
    name: {it: "Quadro canadese degli indicatori", en: "Canadian Indicator Framework"}
    description:
      it: "Un campione degli indicatori con cui Statistics Canada segue gli obiettivi di sviluppo sostenibile."
      en: "A sample of the indicators with which Statistics Canada follows the Sustainable Development Goals."
"""


class Installed:
    """A fresh virtual environment with the wheel installed, and commands run in it from ``cwd``."""

    def __init__(self, root: Path, wheel: Path) -> None:
        venv.EnvBuilder(with_pip=False).create(root / "venv")
        self.bin = root / "venv" / "bin"
        self.python = self.bin / "python"
        site_packages = subprocess.run(
            [self.python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        # The dependencies, from the environment running the tests: a plain folder line, no .pth processing.
        Path(site_packages, "zz-test-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "--python",
                str(self.python),
                "install",
                "-q",
                "--no-deps",
                str(wheel),
            ],
            check=True,
            env=self.env(),
        )

    def env(self) -> dict[str, str]:
        """The caller's environment without what would point back at this checkout."""
        env = {
            k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "TRACKER_PROJECT", "VIRTUAL_ENV")
        }
        env.pop("TRACKER_DATABASE_URL", None)  # each project keeps its own SQLite file
        return env

    def tracker(self, *args: str, cwd: Path, ok: tuple[int, ...] = (0,)) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [str(self.bin / "tracker"), *args], cwd=cwd, env=self.env(), capture_output=True, text=True
        )
        assert done.returncode in ok, (
            f"tracker {' '.join(args)}: {done.returncode}\n{done.stdout}\n{done.stderr}"
        )
        return done


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``python -m build``: the sdist, then the wheel built from the unpacked sdist (so both are tested)."""
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(REPO)],
        check=True,
        capture_output=True,
        env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
    )
    return out


@pytest.fixture(scope="module")
def installed(dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installed]:
    (wheel,) = dist.glob("*.whl")
    yield Installed(tmp_path_factory.mktemp("fresh"), wheel)


def test_the_sdist_holds_what_rebuilds_the_wheel(dist: Path) -> None:
    (sdist,) = dist.glob("*.tar.gz")
    with tarfile.open(sdist) as tar:
        names = {n.split("/", 1)[1] for n in tar.getnames() if "/" in n}
    assert {
        "pyproject.toml",
        "templates/_base.html",
        "schemas/scorecard.schema.json",
        "README.md",
        "LICENSE",
    } <= names
    assert "tracker/scaffold/files/config.yaml" in names
    assert not any(n.startswith(("site/", "var/", ".venv/")) for n in names)


def test_the_wheel_ships_templates_schemas_translations_assets_migrations(dist: Path) -> None:
    (wheel,) = dist.glob("*.whl")
    assert wheel.name.startswith(f"smartcity_tracker-{tracker.__version__}-")
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in (
        "tracker/_defaults/templates/_base.html",
        "tracker/_defaults/templates/updates/feed.xml",
        "tracker/_defaults/schemas/scorecard.schema.json",
        "tracker/site/locales/it/LC_MESSAGES/messages.po",
        "tracker/site/assets/site.css",
        "tracker/site/assets/vendor/lunr.min.js",
        "tracker/store/alembic.ini",
        "tracker/scaffold/files/STEWARDS.md",
    ):
        assert name in names, name
    assert any(n.startswith("tracker/store/migrations/versions/") and n.endswith(".py") for n in names)
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    # every top-level template is in the wheel
    for template in (REPO / "templates").rglob("*"):
        if template.is_file():
            assert (
                f"tracker/_defaults/templates/{template.relative_to(REPO / 'templates').as_posix()}" in names
            )


def test_a_new_city_runs_the_whole_cycle_from_the_installed_wheel(
    installed: Installed, tmp_path: Path
) -> None:
    where = installed.tracker("--version", cwd=tmp_path).stdout
    assert where.strip() == f"smartcity-tracker {tracker.__version__}"
    origin = subprocess.run(
        [
            installed.python,
            "-c",
            "import tracker, tracker.resources as r; print(tracker.__file__); print(r.default_templates())",
        ],
        cwd=tmp_path,
        env=installed.env(),
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    venv_root = installed.bin.parent.resolve()
    assert Path(origin[0]).resolve().is_relative_to(venv_root)
    assert Path(origin[1]).resolve().is_relative_to(venv_root)  # the packaged templates, not the checkout's

    installed.tracker("init", "bergamo", "--city", "Bergamo", cwd=tmp_path)
    project = tmp_path / "bergamo"
    installed.tracker("validate", cwd=project)
    installed.tracker("db", "upgrade", cwd=project)
    run = installed.tracker("run", cwd=project)
    assert (
        "example-indicator" in run.stdout + run.stderr or (project / "site" / "en" / "index.html").is_file()
    )
    page = (project / "site" / "en" / "indicators" / "example-indicator.html").read_text(encoding="utf-8")
    assert "Example indicator (invented data)" in page
    assert "not real data" in page
    assert (project / "site" / "feed.xml").is_file() or (project / "site" / "it" / "index.html").is_file()

    # a steward's new figure through the inbox, then `add`
    (project / "inbox" / "example-indicator--2020.csv").write_text(
        "period,value,note_it,note_en\n2020,48.5,esempio: valore inventato,example: invented value\n"
    )
    installed.tracker("run", cwd=project)
    assert (project / "var" / "archive").is_dir() and not any((project / "inbox").iterdir())
    extra = tmp_path / "more.csv"
    extra.write_text(
        "period,value,note_it,note_en\n2021,50,esempio: valore inventato,example: invented value\n"
    )
    installed.tracker("add", str(extra), "--indicator", "example-indicator", cwd=project)
    assert "2021" in installed.tracker("history", "example-indicator", cwd=project).stdout
    installed.tracker("updates", "--dry-run", cwd=project)
    assert "recompute" in installed.tracker("schedule", "--list", cwd=project).stdout

    server = subprocess.Popen(
        [str(installed.bin / "tracker"), "serve", "--port", "0"],
        cwd=project,
        env=installed.env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        port = re.search(r"127\.0\.0\.1:(\d+)/", server.stdout.readline())
        assert port, "serve did not say where"
        with urllib.request.urlopen(
            f"http://127.0.0.1:{port.group(1)}/en/index.html", timeout=30
        ) as response:
            assert "Bergamo scorecard" in response.read().decode("utf-8")
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_a_second_real_catalogue_statistics_canada_from_the_installed_wheel(
    installed: Installed, tmp_path: Path
) -> None:
    """Statistics Canada's Canadian Indicator Framework (real, cited in each indicator's source) as a national
    platform's scorecard, English only, built by the installed tool with none of Milan's files."""
    installed.tracker(
        "init",
        "canada",
        "--city",
        "Canada",
        "--languages",
        "en",
        "--timezone",
        "America/Toronto",
        cwd=tmp_path,
    )
    project = tmp_path / "canada"
    for example in (project / "indicators" / "example-objective").iterdir():
        example.unlink()
    (project / "indicators" / "objectives.yaml").write_text(CIF_OBJECTIVES, encoding="utf-8")
    installed.tracker("import", "opensdg", str(SAMPLE), "--objective", "cif", cwd=project)
    installed.tracker("run", cwd=project, ok=(0, 1))
    site = project / "site"
    assert not (site / "it").exists()
    scorecard = json.loads((site / "scorecard.json").read_text(encoding="utf-8"))
    ids = {i["id"] for objective in scorecard["objectives"] for i in objective["indicators"]}
    assert len(ids) == 20 and "sdg-1-1-1" in ids
    page = (site / "en" / "indicators" / "sdg-1-1-1.html").read_text(encoding="utf-8")
    assert "https://doi.org/10.25318/1110013501-eng" in page  # Statistics Canada's table, cited
    assert "Poverty rate, as measured by Canada" in page
    with (site / "data" / "sdg-1-1-1.csv").open(encoding="utf-8") as fh:
        assert sum(1 for _ in csv.DictReader(fh)) > 5
