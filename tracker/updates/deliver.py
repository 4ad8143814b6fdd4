"""Send each subscription what changed since its last update, through Apprise, with a delivery record.

A subscription's baseline is the run of its last successful delivery; its digest covers that run to the latest
one and is keyed ``runs:<from>-<to>`` (unique per subscription in ``deliveries``), so:

* nothing is sent twice: a key already ``sent`` is skipped, and a sent digest moves the baseline;
* a failed channel is recorded (``failed``, attempts, last error) and retried next time, with whatever changed
  meanwhile; subscriptions are independent, so one failing channel never holds back the others;
* a restart resends nothing: the row is marked ``sending`` (committed) before the network call; a process that
  dies in between leaves it so, and the next sender marks it ``unknown`` rather than risk a duplicate. The
  changes are not lost: the baseline did not move, so the next digest repeats them;
* every ``failed`` or ``unknown`` row is reported to ``updates.operations_url`` once, by whichever sender
  (``tracker run``, ``tracker updates``, a scheduled job) finds it unreported; ``reported_at`` records it, so
  retries are not reported again, and a channel that could not be told is tried again by the next sender.

One sender at a time (the ``updates`` lock of :func:`tracker.store.db.run_lock`), across processes.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

from sqlalchemy import CursorResult, func, select, update

from tracker.store.db import run_lock, session_scope
from tracker.store.deliveries import find_delivery, record_delivery
from tracker.store.models import FAILED, SENT, Delivery, utcnow
from tracker.updates.changes import Changes, RunRef, compute, get_run, latest_run
from tracker.updates.digest import Message, render

if TYPE_CHECKING:
    from apprise import NotifyBase
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session

    from tracker.catalog import Catalog
    from tracker.config import Settings, Subscription

log = logging.getLogger(__name__)

LOCK = "updates"
LOCK_WAIT_SECONDS = 600.0
SENDING, UNKNOWN = "sending", "unknown"
INTERRUPTED = (
    "the sender stopped while this digest was being sent, so it may have arrived: not resent, to avoid a "
    "duplicate; the next update repeats these changes"
)
_ENV_REF = re.compile(r"\$\{([A-Z_][A-Z0-9_]*)\}")
REPORT_LINES = 50  # failures listed in one operations message; the rest are counted


@dataclass
class Outcome:
    """What happened (or, in a dry run, would happen) for one subscription."""

    subscription: str
    status: str  # "sent", "failed", "nothing", "skipped" (interrupted earlier, not resent) or "would_send"
    channel: str  # the URL with secrets hidden, for people
    detail: str = ""
    message: Message | None = None
    changes: Changes | None = None
    recorded: bool = False  # a delivery row holds this outcome (so the operators are told about it)
    reported: bool = False  # this failure is now known to updates.operations_url (told now or earlier)


@dataclass
class _Pending:
    changes: Changes
    key: str
    message: Message


def resolve_url(url: str) -> str:
    """``${VAR}`` replaced from the environment (KeyError names a missing variable)."""
    return _ENV_REF.sub(lambda m: os.environ[m.group(1)], url)


def with_sender(url: str, sender: str) -> str:
    """A ``mailto``/``mailtos`` URL without ``from=`` sends as ``updates.sender``."""
    scheme, _, rest = url.partition("://")
    if scheme.lower() not in ("mailto", "mailtos") or not sender or re.search(r"[?&]from=", rest):
        return url
    return f"{url}{'&' if '?' in rest else '?'}from={quote(sender, safe='@')}"


def fingerprint(url: str) -> str:
    """Recorded instead of the URL, which may hold a token."""
    return hashlib.sha256(url.encode()).hexdigest()[:16]


def display_url(url: str, sender: str = "") -> str:
    """The subscription URL for people: secrets hidden by Apprise, or left as ``${VAR}`` when unresolved."""
    import apprise

    try:
        plugin = apprise.Apprise.instantiate(with_sender(resolve_url(url), sender))
    except KeyError:
        return url
    if plugin is None:
        return url
    shown = urlsplit(plugin.url(privacy=True))
    given = {key for key, _ in parse_qsl(urlsplit(url).query)}  # Apprise adds its defaults: leave those out
    query = urlencode([(k, v) for k, v in parse_qsl(shown.query) if k in given], safe="@*")
    return unquote(urlunsplit(shown._replace(query=query)))


def deliver(
    settings: Settings,
    engine: Engine,
    cat: Catalog,
    *,
    when: Collection[str] | None = None,
    names: Collection[str] | None = None,
    dry_run: bool = False,
    lock_wait: bool | float = LOCK_WAIT_SECONDS,
) -> list[Outcome]:
    """Send (or with ``dry_run`` only show) the pending digest of each selected subscription.

    ``when`` selects subscriptions by their ``when`` ("on_change", "schedule"), ``names`` by name; None: all.
    A dry run neither sends nor records anything, and takes no lock. Otherwise failures not yet reported (of
    any subscription, met by this or an earlier sender) are then reported to the operations channel.
    """
    subs = [
        s
        for s in settings.config.updates.subscriptions
        if (when is None or s.when in when) and (names is None or s.name in names)
    ]
    if not settings.config.updates.subscriptions or (dry_run and not subs):
        return []
    cache: dict[tuple[int | None, int], Changes] = {}
    if dry_run:
        return [_one(settings, engine, cat, sub, cache, dry_run=True) for sub in subs]
    with run_lock(engine, LOCK, wait=lock_wait):
        settle_interrupted(engine)
        outcomes = [_one(settings, engine, cat, sub, cache, dry_run=False) for sub in subs]
        untold = report_failures(settings, engine)
    for outcome in outcomes:
        outcome.reported = (
            outcome.recorded
            and outcome.status in ("failed", "skipped")
            and outcome.subscription not in untold
        )
    return outcomes


def settle_interrupted(engine: Engine) -> int:
    """Mark ``sending`` rows left by a sender that died as ``unknown`` (call with the updates lock held)."""
    with session_scope(engine) as session:
        result = session.execute(
            update(Delivery)
            .where(Delivery.status == SENDING)
            .values(
                status=UNKNOWN, last_error=INTERRUPTED, updated_at=utcnow(), reported_at=None
            )  # a new event
        )
        # An UPDATE without RETURNING gives a CursorResult, which Session.execute's types call a Result.
        assert isinstance(result, CursorResult)
        count = result.rowcount or 0
    if count:
        log.warning("%d delivery(ies) were interrupted while sending; not resent", count)
    return count


def report_failures(settings: Settings, engine: Engine) -> set[str]:
    """Tell the operators, in one message, every failed or interrupted delivery not reported yet.

    Returns the subscriptions left with unreported failures: none, unless there is no ``operations_url`` or it
    refused the message; the next sender then tries again (call with the updates lock held).
    """
    with session_scope(engine) as session:
        fresh = session.execute(
            select(
                Delivery.id,
                Delivery.subscription,
                Delivery.status,
                Delivery.digest_key,
                Delivery.attempts,
                Delivery.last_error,
            )
            .where(Delivery.status.in_((FAILED, UNKNOWN)), Delivery.reported_at.is_(None))
            .order_by(Delivery.id)
        ).all()
    if not fresh:
        return set()
    sender = settings.config.updates.sender
    urls = {s.name: s.url for s in settings.config.updates.subscriptions}
    lines = []
    for r in fresh[:REPORT_LINES]:
        via = f" via {display_url(urls[r.subscription], sender)}" if r.subscription in urls else ""
        what = "interrupted, not resent" if r.status == UNKNOWN else f"failed ({r.attempts} attempt(s))"
        lines.append(f"- {r.subscription}{via}, digest {r.digest_key}: {what}: {r.last_error}")
    if len(fresh) > REPORT_LINES:
        lines.append(f"- and {len(fresh) - REPORT_LINES} more (see the deliveries table)")
    title = f"{settings.config.city.name} tracker: {len(fresh)} update(s) not delivered"
    body = (
        "Failed deliveries are retried at the next update; interrupted ones are not resent (they may have "
        "arrived), and their changes come with the next update.\n" + "\n".join(lines)
    )
    if not notify_operations(settings, title, body):
        return {r.subscription for r in fresh}
    with session_scope(engine) as session:
        session.execute(
            update(Delivery).where(Delivery.id.in_([r.id for r in fresh])).values(reported_at=utcnow())
        )
    return set()


def _one(
    settings: Settings,
    engine: Engine,
    cat: Catalog,
    sub: Subscription,
    cache: dict[tuple[int | None, int], Changes],
    *,
    dry_run: bool,
) -> Outcome:
    channel = display_url(sub.url, settings.config.updates.sender)
    try:
        with session_scope(engine) as session:
            pending = _pending(session, settings, cat, sub, cache)
    except Exception as exc:  # a broken template or snapshot must not hold back the other subscriptions
        log.exception("subscription %s: could not prepare the digest", sub.name)
        return Outcome(
            sub.name, "failed", channel, f"could not prepare the digest: {type(exc).__name__}: {exc}"
        )
    if isinstance(pending, str):
        return Outcome(sub.name, "nothing", channel, pending)
    outcome = Outcome(sub.name, "would_send", channel, message=pending.message, changes=pending.changes)
    if dry_run:
        return outcome
    try:
        url = with_sender(resolve_url(sub.url), settings.config.updates.sender)
    except KeyError as exc:
        url, error = "", f"environment variable {exc.args[0]} is not set (it is used in the subscription URL)"
    else:
        error = ""
    with session_scope(engine) as session:
        row = find_delivery(session, sub.name, pending.key)
        if row is not None and row.status == SENT:
            return Outcome(sub.name, "nothing", channel, "already sent")
        if row is not None and row.status == UNKNOWN:
            return Outcome(sub.name, "skipped", channel, INTERRUPTED, recorded=True)
        if row is None:
            row = Delivery(subscription=sub.name, digest_key=pending.key, attempts=0, last_error="")
            session.add(row)
        row.status, row.channel, row.run_id = SENDING, fingerprint(url or sub.url), pending.changes.to_run
        row.digest_hash, row.updated_at = pending.message.fingerprint, utcnow()
    ok = False
    if url:
        try:
            ok, error = send(url, pending.message)
        except Exception as exc:  # an Apprise plugin raising: recorded like any other failure
            log.exception("subscription %s: sending failed", sub.name)
            error = f"{type(exc).__name__}: {exc}"
    with session_scope(engine) as session:
        record_delivery(
            session,
            sub.name,
            pending.key,
            channel=fingerprint(url or sub.url),
            ok=ok,
            digest_hash=pending.message.fingerprint,
            run_id=pending.changes.to_run,
            error=error,
        )
    outcome.recorded = True
    if ok:
        log.info("subscription %s: sent %r", sub.name, pending.message.title)
        outcome.status = "sent"
    else:
        log.warning("subscription %s: not delivered (%s); will retry at the next update", sub.name, error)
        outcome.status, outcome.detail = "failed", error
    return outcome


def baseline(session: Session, subscription: str) -> int | None:
    """The run of the last digest sent to ``subscription``; None if it never received one."""
    return session.execute(
        select(func.max(Delivery.run_id)).where(
            Delivery.subscription == subscription, Delivery.status == SENT
        )
    ).scalar()


def _pending(
    session: Session,
    settings: Settings,
    cat: Catalog,
    sub: Subscription,
    cache: dict[tuple[int | None, int], Changes],
) -> _Pending | str:
    latest = latest_run(session)
    if latest is None:
        return "no run has finished yet"
    since = baseline(session, sub.name)
    if since is not None and since >= latest.id:
        return "nothing changed since the last update"
    start: RunRef | None = get_run(session, since) if since is not None else None
    key = (start.id if start else None, latest.id)
    if key not in cache:
        cache[key] = compute(session, cat, start, latest, settings.config.timezone)
    changes = cache[key].only(objective_indicators(cat, sub.objectives))
    if not changes:
        return "nothing changed since the last update"
    message = render(settings, cat, changes, sub.language, subscription=sub.name)
    return _Pending(changes, f"runs:{key[0] or 0}-{latest.id}", message)


def objective_indicators(cat: Catalog, objectives: Collection[str]) -> set[str] | None:
    """Indicator ids of ``objectives``; None (everything) when the list is empty."""
    if not objectives:
        return None
    return {e.indicator.id for e in cat.entries if e.indicator.objective in set(objectives)}


def unknown_objectives(settings: Settings, cat: Catalog) -> list[str]:
    """Subscriptions naming an objective the catalogue lacks (they would silently receive less)."""
    known = {o.id for o in cat.objectives}
    return [
        f"subscription {s.name!r}: unknown objective {o!r} (known: {', '.join(sorted(known))})"
        for s in settings.config.updates.subscriptions
        for o in s.objectives
        if o not in known
    ]


# --- Apprise -------------------------------------------------------------------------------------------------


#: Apprise schemes of email services: they get the whole digest (HTML, or text with ``?format=text``).
EMAIL_SCHEMES = frozenset(
    {
        "mailto",
        "mailtos",
        "mailgun",
        "sendgrid",
        "ses",
        "sparkpost",
        "postmark",
        "resend",
        "smtp2go",
        "brevo",
        "mailersend",
        "sendpulse",
        "groundmail",
        "acs",
        "o365",
        "azure",
    }
)


def channel_kind(url: str) -> str:
    """ "email" for email services, "chat" for everything else (they get the short message)."""
    return "email" if url.split("://", 1)[0].lower() in EMAIL_SCHEMES else "chat"


def send(url: str, message: Message) -> tuple[bool, str]:
    """Send ``message`` to one Apprise URL: the digest to email services, the short message to others.

    ``mailto``/``mailtos`` go through :mod:`tracker.updates.mail` (the project's text part, not Apprise's
    conversion of the HTML); other email services get the HTML (or the text with ``?format=text``).
    """
    import apprise

    from tracker.updates import mail

    if mail.handles(url):  # our own text part beside our HTML: see tracker.updates.mail for why
        return mail.send(url, message)
    plugin = apprise.Apprise.instantiate(url)
    if plugin is None:
        return False, "not a valid Apprise URL (see https://appriseit.com/services/)"
    if channel_kind(url) == "email":
        html = plugin.resolve_format(apprise.NotifyFormat.HTML) == apprise.NotifyFormat.HTML
        body, body_format = (message.html, "html") if html else (message.text, "text")
    else:
        body, body_format = message.chat, "text"
    return notify(plugin, message.title, body, body_format)


def notify(target: str | NotifyBase, title: str, body: str, body_format: str = "text") -> tuple[bool, str]:
    """One Apprise notification to a URL or plugin; returns (delivered, what went wrong)."""
    import apprise

    ap = apprise.Apprise()
    if not ap.add(target):
        return False, "not a valid Apprise URL (see https://appriseit.com/services/)"
    result = ap.notify(body=body, title=title, body_format=apprise.NotifyFormat(body_format))
    if result:
        return True, ""
    problems = [
        entry.message
        for service in result
        for attempt in service
        for entry in attempt
        if entry.level in ("WARNING", "ERROR", "CRITICAL")
    ]
    return False, "; ".join(
        dict.fromkeys(problems)
    ) or f"the channel did not accept the message ({result.status.name})"


def notify_operations(settings: Settings, title: str, body: str) -> bool:
    """Tell the operators (``updates.operations_url``); without one, the log is all there is."""
    url = settings.config.updates.operations_url
    if not url:
        log.warning("no updates.operations_url configured; not reported: %s", title)
        return False
    try:
        resolved = resolve_url(url)
    except KeyError as exc:
        log.error(
            "operations channel: environment variable %s is not set; not reported: %s", exc.args[0], title
        )
        return False
    ok, error = notify(resolved, title, body)
    if not ok:
        log.error("operations channel did not accept %r: %s", title, error)
    return ok
