"""Delivery through real channels: an aiosmtpd SMTP server and an http.server webhook, both on 127.0.0.1.

The ``smtp`` and ``hook`` fixtures live in ``tests/conftest.py``; ``subscriptions_config`` is shared with the
scheduler tests.
"""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from tests.conftest import Hook, Mailbox, free_port
from tests.test_end_to_end import REPO, tracker
from tests.test_updates_changes import BIKES, WASTE, open_project, record_run
from tracker import catalog, config
from tracker.assess.base import Category
from tracker.store import db
from tracker.store.models import Delivery
from tracker.updates import deliver as dl


def subscriptions_config(smtp_port: int, hook_port: int, extra: str = "") -> str:
    """config.yaml of a test project: alice (it, email, all), bob (en, email, mobility only), a webhook,
    and ``flaky``, a webhook whose port comes from ``${FLAKY_PORT}`` (the way secrets are written)."""
    mail = f"mailto://127.0.0.1:{smtp_port}"
    return f"""\
database:
  url: sqlite:///var/test.sqlite
updates:
  sender: tracker@example.org
  subscriptions:
    - {{name: flaky, url: "json://127.0.0.1:${{FLAKY_PORT}}/flaky", language: en}}
    - {{name: alice, url: "{mail}/alice@example.org", language: it}}
    - {{name: bob, url: "{mail}/bob@example.org", language: en, objectives: [mobility]}}
    - {{name: hook, url: "json://127.0.0.1:{hook_port}/hook", language: en}}
{extra}"""


def setup_project(
    tmp_path: Path, smtp_port: int, hook_port: int, extra: str = ""
) -> tuple[config.Settings, catalog.Catalog, Engine]:
    _, _, engine = open_project(tmp_path)
    engine.dispose()
    (tmp_path / "config.yaml").write_text(subscriptions_config(smtp_port, hook_port, extra), encoding="utf-8")
    settings = config.load(tmp_path)
    return settings, catalog.load(settings.path("indicators")), db.make_engine(settings.database_url)


def parts(message: EmailMessage) -> dict[str, str]:
    return {
        part.get_content_type(): part.get_content()
        for part in message.walk()
        if part.get_content_maintype() == "text"
    }


def deliveries(engine: Engine, name: str) -> list[Delivery]:
    with db.session_scope(engine) as session:
        return list(
            session.execute(
                select(Delivery).where(Delivery.subscription == name).order_by(Delivery.id)
            ).scalars()
        )


def test_email_webhook_and_a_failing_channel_retried_without_holding_back_others(
    tmp_path: Path, smtp: tuple[Mailbox, int], hook: Hook, monkeypatch: pytest.MonkeyPatch
) -> None:
    box, port = smtp
    settings, cat, engine = setup_project(tmp_path, port, hook.port)
    monkeypatch.setenv("FLAKY_PORT", str(free_port()))  # nothing listens there
    record_run(
        engine,
        {"bike-trips": BIKES, "waste-sorted": WASTE},
        {"bike-trips": Category.MODERATE, "waste-sorted": Category.ON_TRACK},
    )
    dl.deliver(settings, engine, cat)  # the first update of each subscription
    box.messages.clear()
    hook.posts.clear()
    record_run(
        engine,
        {"bike-trips": [*BIKES, ("2018", 4_300_000.0)]},
        {"bike-trips": Category.ON_TRACK, "waste-sorted": Category.ACHIEVED},
    )

    outcomes = {o.subscription: o for o in dl.deliver(settings, engine, cat)}
    assert {k: o.status for k, o in outcomes.items()} == {
        "flaky": "failed",
        "alice": "sent",
        "bob": "sent",
        "hook": "sent",
    }
    assert "Connection" in outcomes["flaky"].detail and not outcomes["flaky"].reported  # no operations_url

    (alice,) = box.to("alice@example.org")
    assert alice["Subject"] == outcomes["alice"].message.title
    assert alice["Subject"].startswith("Milano Smart City — quadro di valutazione: 3 novità dal ")
    assert "tracker@example.org" in alice["From"]
    text = parts(alice)
    assert set(text) == {"text/plain", "text/html"}
    for body in text.values():
        assert (
            "↑" in body
            and "✔" in body
            and "Obiettivo raggiunto" in body
            and "Indicatore waste-sorted" in body
        )
    assert (
        "In linea con l'obiettivo" in text["text/plain"]
        and "In linea con l&#39;obiettivo" in text["text/html"]
    )
    assert '<html lang="it">' in text["text/html"]

    (bob,) = box.to("bob@example.org")  # mobility only, in English
    bob_text = parts(bob)["text/plain"]
    assert "↑ On track" in bob_text and "Indicator bike-trips" in bob_text and "waste-sorted" not in bob_text
    assert bob["Subject"].startswith("Milan Smart City scorecard: 2 changes since ")

    (posted,) = hook.at("/hook")
    assert posted["title"] == outcomes["hook"].message.title
    assert "✔ Target achieved: 2.1 Indicator waste-sorted" in posted["message"]
    assert "↑ On track: 1.1 Indicator bike-trips" in posted["message"]

    # next time: the failing channel is retried (still down), nothing is sent twice to the others
    again = {o.subscription: o.status for o in dl.deliver(settings, engine, cat)}
    assert again == {"flaky": "failed", "alice": "nothing", "bob": "nothing", "hook": "nothing"}
    (failed,) = [
        d for d in deliveries(engine, "flaky") if d.status == "failed" and d.digest_key == "runs:0-2"
    ]
    assert failed.attempts == 2 and "Connection" in failed.last_error

    # the channel is back: it gets everything since its last update (it never had one), the others nothing
    monkeypatch.setenv("FLAKY_PORT", str(hook.port))
    final = {o.subscription: o.status for o in dl.deliver(settings, engine, cat)}
    assert final == {"flaky": "sent", "alice": "nothing", "bob": "nothing", "hook": "nothing"}
    (flaky,) = hook.at("/flaky")
    assert flaky["title"].startswith("Milan Smart City scorecard: first update: ")
    assert len(box.messages) == 2 and len(hook.at("/hook")) == 1
    assert [d.status for d in deliveries(engine, "flaky")] == ["failed", "sent"]
    assert deliveries(engine, "flaky")[-1].attempts == 3
    engine.dispose()


def test_restart_resends_nothing_and_dry_run_records_nothing(
    tmp_path: Path, smtp: tuple[Mailbox, int], hook: Hook
) -> None:
    box, port = smtp
    settings, cat, engine = setup_project(tmp_path, port, hook.port)
    env = {"FLAKY_PORT": str(hook.port), "PYTHONPATH": str(REPO)}  # works without `pip install -e` too
    record_run(engine, {"bike-trips": BIKES}, {"bike-trips": Category.MODERATE})
    sent = tracker("updates", cwd=tmp_path, env=env)  # a separate process, its own engine
    assert sent.returncode == 0, sent.stderr
    assert "update sent to alice (it, email) via mailto://" in sent.stdout
    assert len(box.messages) == 2 and len(hook.posts) == 2

    restart = tracker("updates", cwd=tmp_path, env=env)  # another process on the same database
    assert restart.returncode == 0, restart.stderr
    assert restart.stdout.count("nothing to send") == 4
    assert len(box.messages) == 2 and len(hook.posts) == 2

    record_run(engine, {}, {"bike-trips": Category.ON_TRACK})
    with db.session_scope(engine) as session:
        before = session.execute(select(func.count()).select_from(Delivery)).scalar()
    dry = tracker("updates", "--dry-run", cwd=tmp_path, env=env)
    assert dry.returncode == 0, dry.stderr
    assert "would send to alice (it, email) via mailto://127.0.0.1" in dry.stdout
    assert "would send to hook (en, chat) via json://127.0.0.1" in dry.stdout
    assert "  | - ↑ In linea con l'obiettivo — 1.1 Indicatore bike-trips" in dry.stdout
    assert "  | ↑ On track: 1.1 Indicator bike-trips" in dry.stdout  # the chat message of the webhook
    assert "apprise" not in dry.stderr
    assert "nothing was sent or recorded" in dry.stdout
    with db.session_scope(engine) as session:
        assert session.execute(select(func.count()).select_from(Delivery)).scalar() == before
    assert len(box.messages) == 2 and len(hook.posts) == 2

    only = tracker("updates", "-s", "alice", cwd=tmp_path, env=env)
    assert only.returncode == 0, only.stderr
    assert len(box.wait(3)) == 3 and "In linea con l'obiettivo" in parts(box.messages[-1])["text/plain"]
    assert len(hook.posts) == 2
    engine.dispose()


def test_nothing_sent_when_nothing_changed(
    tmp_path: Path, smtp: tuple[Mailbox, int], hook: Hook, monkeypatch: pytest.MonkeyPatch
) -> None:
    box, port = smtp
    settings, cat, engine = setup_project(tmp_path, port, hook.port)
    monkeypatch.setenv("FLAKY_PORT", str(hook.port))
    verdicts = {"bike-trips": Category.MODERATE, "waste-sorted": Category.ON_TRACK}
    record_run(engine, {"bike-trips": BIKES, "waste-sorted": WASTE}, verdicts)
    assert {o.status for o in dl.deliver(settings, engine, cat)} == {"sent"}
    record_run(engine, {}, verdicts)
    record_run(engine, {"bike-trips": BIKES}, verdicts)  # the same file again: no new value
    outcomes = dl.deliver(settings, engine, cat)
    assert {o.status for o in outcomes} == {"nothing"}
    assert len(box.messages) == 2 and len(hook.posts) == 2
    record_run(engine, {}, {**verdicts, "waste-sorted": Category.LIMITED})  # environment only
    statuses = {o.subscription: o.status for o in dl.deliver(settings, engine, cat)}
    assert statuses == {"flaky": "sent", "alice": "sent", "bob": "nothing", "hook": "sent"}
    engine.dispose()


def test_interrupted_send_is_not_resent_and_its_changes_come_with_the_next(
    tmp_path: Path, smtp: tuple[Mailbox, int], hook: Hook, monkeypatch: pytest.MonkeyPatch
) -> None:
    box, port = smtp
    settings, cat, engine = setup_project(tmp_path, port, hook.port)
    monkeypatch.setenv("FLAKY_PORT", str(hook.port))
    first = record_run(engine, {"bike-trips": BIKES}, {"bike-trips": Category.MODERATE})
    with db.session_scope(engine) as session:  # a sender died between marking and recording
        session.add(
            Delivery(
                subscription="alice",
                digest_key=f"runs:0-{first}",
                channel="x",
                status="sending",
                run_id=first,
                attempts=0,
            )
        )
    outcomes = {o.subscription: o for o in dl.deliver(settings, engine, cat, names=["alice"])}
    assert outcomes["alice"].status == "skipped" and not box.messages
    assert deliveries(engine, "alice")[0].status == "unknown"
    record_run(engine, {}, {"bike-trips": Category.ON_TRACK})
    assert [o.status for o in dl.deliver(settings, engine, cat, names=["alice"])] == ["sent"]
    body = parts(box.wait(1)[0])["text/plain"]
    assert (
        "primo aggiornamento" in box.messages[0]["Subject"]
    )  # from the start: the lost digest's changes too
    assert "valori nuovi: 2" in body and "↑ In linea con l'obiettivo" in body
    engine.dispose()


def test_missing_secret_is_a_recorded_failure_naming_the_variable(
    tmp_path: Path, smtp: tuple[Mailbox, int], hook: Hook, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, port = smtp
    settings, cat, engine = setup_project(tmp_path, port, hook.port)
    monkeypatch.delenv("FLAKY_PORT", raising=False)
    record_run(engine, {"bike-trips": BIKES}, {"bike-trips": Category.MODERATE})
    (outcome,) = dl.deliver(settings, engine, cat, names=["flaky"])
    assert outcome.status == "failed" and "FLAKY_PORT is not set" in outcome.detail
    assert outcome.channel == "json://127.0.0.1:${FLAKY_PORT}/flaky"
    (row,) = deliveries(engine, "flaky")
    assert row.status == "failed" and "FLAKY_PORT" in row.last_error
    engine.dispose()


def test_sender_and_url_helpers() -> None:
    assert dl.with_sender("mailto://h:25?to=a@b.org", "t@x.org") == "mailto://h:25?to=a@b.org&from=t@x.org"
    assert dl.with_sender("mailtos://h/a@b.org", "t@x.org") == "mailtos://h/a@b.org?from=t@x.org"
    assert dl.with_sender("mailto://h?from=me@x.org&to=a@b.org", "t@x.org").count("from=") == 1
    assert dl.with_sender("json://h/x", "t@x.org") == "json://h/x"
    assert dl.channel_kind("mailtos://u@h") == "email" and dl.channel_kind("ntfy://topic") == "chat"


def test_received_text_part_is_what_the_dry_run_shows(
    tmp_path: Path, smtp: tuple[Mailbox, int], hook: Hook
) -> None:
    """The e-mail's text/plain is the project's email.txt, not Apprise's conversion of the HTML."""
    box, port = smtp
    settings, cat, engine = setup_project(tmp_path, port, hook.port)
    env = {"FLAKY_PORT": str(hook.port), "PYTHONPATH": str(REPO)}
    record_run(
        engine,
        {"bike-trips": BIKES, "waste-sorted": WASTE},
        {"bike-trips": Category.MODERATE, "waste-sorted": Category.ACHIEVED},
    )
    dry = tracker("updates", "--dry-run", "-s", "alice", cwd=tmp_path, env=env)
    assert dry.returncode == 0, dry.stderr
    shown = [line[4:] for line in dry.stdout.splitlines() if line.startswith("  | ")]
    title = next(line for line in dry.stdout.splitlines() if line.startswith("  title: "))[len("  title: ") :]
    assert "Obiettivo raggiunto" in "\n".join(shown)

    sent = tracker("updates", "-s", "alice", cwd=tmp_path, env=env)
    assert sent.returncode == 0, sent.stderr
    (mail,) = box.wait(1)
    assert mail.get_content_type() == "multipart/alternative"
    text = parts(mail)
    assert text["text/plain"].splitlines() == shown  # line for line, the signature's "-- " included
    assert mail["Subject"] == title
    assert text["text/html"].lower().startswith("<!doctype html>") and '<html lang="it">' in text["text/html"]
    assert mail["From"].addresses[0].addr_spec == "tracker@example.org"
    assert [a.addr_spec for a in mail["To"].addresses] == ["alice@example.org"]
    engine.dispose()


def test_mailto_url_options_are_read_by_apprise_and_the_message_built_by_us(
    smtp: tuple[Mailbox, int],
) -> None:
    from tracker.updates import mail
    from tracker.updates.digest import Message

    box, port = smtp
    message = Message("en", "Subject é", "plain text ✔\n", "<!DOCTYPE html><p>html ✔</p>", "chat")
    url = (
        f"mailto://127.0.0.1:{port}/?to=a@example.org,Bee<b@example.org>&from=Ops<ops@example.org>"
        f"&cc=c@example.org&bcc=d@example.org"
    )
    assert mail.send(url, message) == (True, "")
    first, second = box.wait(2)
    assert {str(first["To"]), str(second["To"])} == {"a@example.org", "Bee <b@example.org>"}
    assert [m["Cc"] for m in (first, second)].count(None) == 1  # cc on one message only
    assert all(m["Bcc"] is None for m in box.messages)
    assert str(first["From"]) == "Ops <ops@example.org>" and first["Subject"] == "Subject é"
    assert {k: v.splitlines() for k, v in parts(first).items()} == {
        "text/plain": ["plain text ✔"],
        "text/html": ["<!DOCTYPE html><p>html ✔</p>"],
    }
    ok, error = mail.send(f"mailto://127.0.0.1:{free_port()}/a@example.org?from=t@example.org", message)
    assert not ok and "ConnectionRefusedError" in error


def test_digests_of_the_same_day_have_distinct_subjects(
    tmp_path: Path, smtp: tuple[Mailbox, int], hook: Hook, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    box, port = smtp
    settings, cat, engine = setup_project(tmp_path, port, hook.port)
    monkeypatch.setenv("FLAKY_PORT", str(hook.port))
    rome = ZoneInfo("Europe/Rome")
    record_run(
        engine,
        {"bike-trips": BIKES},
        {"bike-trips": Category.MODERATE},
        started=datetime(2024, 5, 6, 9, 30, tzinfo=rome),
    )
    dl.deliver(settings, engine, cat, names=["alice", "hook"])
    record_run(
        engine,
        {"bike-trips": [*BIKES, ("2018", 4_300_000.0)]},
        {"bike-trips": Category.ON_TRACK},
        started=datetime(2024, 5, 6, 16, 5, tzinfo=rome),
    )
    dl.deliver(settings, engine, cat, names=["alice", "hook"])
    record_run(
        engine,
        {"bike-trips": [*BIKES, ("2019", 4_400_000.0)]},
        {"bike-trips": Category.ON_TRACK},
        started=datetime(2024, 5, 6, 16, 5, tzinfo=rome),
    )  # the same minute: the number differs
    dl.deliver(settings, engine, cat, names=["alice", "hook"])
    subjects = [str(m["Subject"]) for m in box.wait(3)]
    assert len(subjects) == 3 and len(set(subjects)) == 3
    assert subjects[0] == (
        "Milano Smart City — quadro di valutazione: primo aggiornamento: 3 novità "
        "(aggiornamento n. 1, 6 maggio 2024 ore 09:30)"
    )
    assert subjects[1].endswith("(aggiornamento n. 2, 6 maggio 2024 ore 16:05)")
    titles = [post["title"] for post in hook.wait("/hook", 3)]
    assert len(set(titles)) == 3 and titles[2].endswith("(update 3, May 6, 2024, 16:05)")
    engine.dispose()
