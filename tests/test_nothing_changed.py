"""The "nothing changed" run: it skips the build and the feed, without loading the site builder or Jinja."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.test_end_to_end import make_project, tracker_env

#: One run of the pipeline in a fresh interpreter, at a fixed clock; prints whether it skipped the build and
#: which of the site builder's modules it loaded.
RUN = """
import json, sys
from datetime import UTC, datetime
from tracker import config, pipeline
from pathlib import Path
report = pipeline.run(config.load(Path(sys.argv[1])), now=datetime(2026, 12, 2, 9, tzinfo=UTC))
heavy = sorted(m for m in ("babel", "jinja2", "plotly", "tracker.site.build", "tracker.site.i18n") if m in sys.modules)
print(json.dumps({"skipped": report.skipped_build, "loaded": heavy}))
"""


def _run(project: Path) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", RUN, str(project)],
        cwd=project,
        env=tracker_env(None),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def _tree(site: Path) -> dict[str, bytes]:
    return {str(p.relative_to(site)): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def test_nothing_changed_run_skips_the_builder_and_leaves_the_site_byte_for_byte(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    first = _run(project)
    assert first == {
        "skipped": False,
        "loaded": ["babel", "jinja2", "plotly", "tracker.site.build", "tracker.site.i18n"],
    }
    before = _tree((project / "site").resolve())
    second = _run(project)
    # The fingerprint proves the site current and the feed's inputs key its files: neither the builder
    # (plotly, charts) nor the templates (Jinja, Babel) are loaded, and the site, feed included, is exactly
    # the one the full build wrote.
    assert second == {"skipped": True, "loaded": []}
    assert _tree((project / "site").resolve()) == before
