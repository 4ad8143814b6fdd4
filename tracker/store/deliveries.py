"""Records for the updates feature: digests kept for the feed, and one delivery row per (subscription, digest).

The unique (subscription, digest_key) makes sending idempotent: a digest already ``sent`` to a subscription
is not sent again, a ``failed`` one is retried and its attempts counted.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.store.models import FAILED, SENT, Delivery, Digest, utcnow


def find_delivery(session: Session, subscription: str, digest_key: str) -> Delivery | None:
    return session.execute(
        select(Delivery).where(Delivery.subscription == subscription, Delivery.digest_key == digest_key)
    ).scalar_one_or_none()


def record_delivery(
    session: Session,
    subscription: str,
    digest_key: str,
    *,
    channel: str,
    ok: bool,
    digest_hash: str = "",
    run_id: int | None = None,
    error: str = "",
) -> Delivery:
    """Note one attempt to send ``digest_key`` to ``subscription`` (creating or updating its row)."""
    row = find_delivery(session, subscription, digest_key)
    if row is None:
        row = Delivery(subscription=subscription, digest_key=digest_key, attempts=0, last_error="")
        session.add(row)
    now = utcnow()
    row.channel, row.digest_hash, row.run_id = channel, digest_hash, run_id
    row.attempts += 1
    row.status = SENT if ok else FAILED
    row.last_error = "" if ok else error
    row.updated_at = now
    if ok:
        row.sent_at = now
    session.flush()
    return row


def save_digest(
    session: Session,
    *,
    language: str,
    title: str,
    body_text: str,
    body_html: str,
    run_id: int | None = None,
    payload: Mapping[str, Any] | None = None,
    created_at: datetime | None = None,
) -> int:
    """Keep a digest for the feed; ``created_at`` is its run's clock when it tells a run's changes."""
    digest = Digest(
        run_id=run_id,
        language=language,
        title=title,
        body_text=body_text,
        body_html=body_html,
        payload=dict(payload or {}),
        created_at=created_at or utcnow(),
    )
    session.add(digest)
    session.flush()
    return digest.id


def recent_digests(session: Session, language: str | None = None, limit: int = 20) -> list[Digest]:
    """Newest first, for the feed."""
    query = select(Digest).order_by(Digest.created_at.desc(), Digest.id.desc()).limit(limit)
    if language is not None:
        query = query.where(Digest.language == language)
    return list(session.execute(query).scalars())
