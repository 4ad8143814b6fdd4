"""The scheduler in its own process (BlockingScheduler, real pipeline, real SMTP server): a file dropped in the
inbox becomes a rebuilt site and a delivered email; SIGTERM stops it cleanly; recomputes never overlap."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests.conftest import Hook, Mailbox
from tests.test_end_to_end import REPO, make_project, tracker
from tests.test_updates_delivery import parts
from tracker import config, jobs
from tracker.store import db, migrated_engine

#: `tracker schedule` with the inbox job every second instead of its cron (the test hook is ``triggers``).
DRIVER = """
import logging, sys
from pathlib import Path
from apscheduler.triggers.interval import IntervalTrigger
from tracker import config, schedule
logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
settings = config.load(Path(sys.argv[1]))
schedule.run_forever(settings, triggers={"inbox": IntervalTrigger(seconds=1)},
                     on_started=lambda scheduler: print("running", flush=True))
print("stopped", flush=True)
"""

PM10 = (
    "period,value,source,note,flag\n2015,95,https://example.org/s,synthetic,\n"
    "2019,60,https://example.org/s,synthetic,\n2023,30,https://example.org/s,synthetic,\n"
)


def write_config(root: Path, smtp_port: int, hook_port: int) -> None:
    (root / "config.yaml").write_text(
        f"""\
database: {{url: sqlite:///var/test.sqlite}}
updates:
  sender: tracker@example.org
  operations_url: "json://127.0.0.1:{hook_port}/ops"
  subscriptions:
    - {{name: alice, url: "mailto://127.0.0.1:{smtp_port}/alice@example.org", language: it}}
""",
        encoding="utf-8",
    )


def test_inbox_file_becomes_site_and_email_then_sigterm_stops(
    tmp_path: Path, smtp: tuple[Mailbox, int], hook: Hook
) -> None:
    box, port = smtp
    project = make_project(tmp_path)
    write_config(project, port, hook.port)
    jobs.recompute(str(project))  # the first recompute: the subscriber's first update
    (first,) = box.wait(1)
    assert "primo aggiornamento" in first["Subject"]
    box.messages.clear()

    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("TRACKER_DATABASE_URL", None)
    proc = subprocess.Popen(
        [sys.executable, "-c", DRIVER, str(project)],
        cwd=project,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "running"
        (project / "inbox").mkdir(exist_ok=True)
        (project / "inbox" / "pm10-days.csv").write_text(PM10, encoding="utf-8")
        (mail,) = box.wait(1, timeout=120)
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert out.strip() == "stopped"
    assert "SIGTERM received" in err and "job inbox" in err

    body = parts(mail)["text/plain"]
    assert mail["Subject"].startswith("Milano Smart City — quadro di valutazione: ")
    assert "Indicatore pm10-days" in body and "Nuovi dati" in body and "Indicatore bike-trips" not in body
    assert not list((project / "inbox").iterdir())
    assert list((project / "var" / "archive").glob("*/pm10-days.csv"))
    card = json.loads((project / "site" / "scorecard.json").read_text(encoding="utf-8"))
    assert "pm10-days" in json.dumps(card)
    assert "30" in (project / "site" / "it" / "indicators" / "pm10-days.html").read_text(encoding="utf-8")
    assert "pm10-days" in (project / "site" / "it" / "feed.xml").read_text(encoding="utf-8")
    assert hook.at("/ops") == []  # nothing failed
    with sqlite3.connect(project / "var" / "test.sqlite") as conn:  # the jobs stay for the next start
        assert sorted(r[0] for r in conn.execute("select id from apscheduler_jobs")) == [
            "digest",
            "inbox",
            "recompute",
        ]


def test_recomputes_never_overlap(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    settings = config.load(project)
    engine = migrated_engine(settings)
    done: list[str] = []
    with db.run_lock(
        engine, "run", wait=False
    ):  # a recompute in progress (the scheduler's, or `tracker run`)
        busy = tracker("run", "--no-wait", cwd=project, env={"PYTHONPATH": str(REPO)})
        assert busy.returncode == 4
        assert "another tracker run or the scheduler is recomputing now" in busy.stderr
        waiting = threading.Thread(target=lambda: done.append(jobs.recompute(str(project))))
        waiting.start()
        time.sleep(1.5)
        assert waiting.is_alive() and not done  # the scheduled recompute waits for the lock
    waiting.join(timeout=180)
    engine.dispose()
    assert done and done[0].startswith("run 1: 2 accepted")
    assert (project / "site" / "index.html").exists()
