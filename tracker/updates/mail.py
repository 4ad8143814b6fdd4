"""E-mail digests for ``mailto://`` and ``mailtos://`` subscriptions: our own text part beside our own HTML.

Why not Apprise's e-mail plugin here: given an HTML body it builds ``multipart/alternative`` with a text part
*converted from the HTML* (``convert_between``), and it has no way to pass a text part of our own; so the
``text/plain`` a reader gets would differ from ``templates/updates/email.txt``, which ``tracker updates
--dry-run`` shows. Post-processing Apprise's finished MIME would mean parsing and re-serialising it (and break
its PGP signatures). So for these two schemes Apprise still *reads the URL* (host, port, secure mode, login,
recipients, ``from``, ``cc``, ``bcc``, ``reply``, the well-known providers' servers) and we build the message
with :class:`email.message.EmailMessage` (``set_content`` + ``add_alternative``) and send it with
:mod:`smtplib`. Other e-mail services (SendGrid, SES, ...) are HTTP APIs and stay with Apprise (HTML body).
Apprise's PGP and attachment options are not supported on this path.
"""

from __future__ import annotations

import smtplib
import ssl
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tracker.updates.digest import Message

#: The Apprise schemes this module sends itself (plain SMTP, with or without TLS).
SMTP_SCHEMES = frozenset({"mailto", "mailtos"})


def handles(url: str) -> bool:
    return url.split("://", 1)[0].lower() in SMTP_SCHEMES


def _address(pair: Any) -> Address:
    """Apprise keeps addresses as ``(display name or False, address)``."""
    name, addr = pair
    user, _, domain = str(addr).rpartition("@")
    return Address(display_name=str(name or ""), username=user, domain=domain)


def build(plugin: Any, message: Message, recipient: Any, *, first: bool) -> EmailMessage:
    """One e-mail to ``recipient``: ``text/plain`` (our text) and ``text/html`` (our HTML) as alternatives.

    ``cc``/``reply`` come from the URL; ``bcc`` is never a header. ``first``: only the first of the per-recipient
    messages carries the ``cc`` (Apprise would copy them once per recipient).
    """
    mail = EmailMessage()
    mail["Subject"] = message.title
    mail["From"] = _address(plugin.from_addr)
    mail["To"] = _address(recipient)
    if first and plugin.cc:
        mail["Cc"] = [_address((plugin.names.get(a, ""), a)) for a in sorted(plugin.cc)]
    if plugin.reply_to:
        mail["Reply-To"] = [_address((plugin.names.get(a, ""), a)) for a in sorted(plugin.reply_to)]
    mail["Date"] = formatdate(localtime=False)
    mail["Message-ID"] = make_msgid(domain=str(plugin.from_addr[1]).rpartition("@")[2] or None)
    mail["Content-Language"] = message.language
    for key, value in (getattr(plugin, "headers", None) or {}).items():  # mailto's ``+Header=value``
        if key not in mail:
            mail[key] = value
    mail.set_content(message.text, subtype="plain", charset="utf-8")
    mail.add_alternative(message.html, subtype="html", charset="utf-8")
    return mail


def send(url: str, message: Message) -> tuple[bool, str]:
    """Send ``message`` to the recipients of a ``mailto(s)://`` URL; returns (delivered, what went wrong)."""
    import apprise
    from apprise.plugins.email import NotifyEmail

    plugin = apprise.Apprise.instantiate(url)
    if not isinstance(plugin, NotifyEmail):
        return False, "not a valid mailto:// URL (see https://appriseit.com/services/email/)"
    if not plugin.targets:
        return False, "the mailto:// URL names no recipient"
    context = ssl.create_default_context()
    if not plugin.verify_certificate:
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    timeout = float(getattr(plugin, "socket_connect_timeout", 15) or 15)
    mode = str(plugin.secure_mode).lower()
    refused: list[str] = []
    try:
        if mode == "ssl":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                plugin.smtp_host, plugin.port, timeout=timeout, context=context
            )
        else:
            smtp = smtplib.SMTP(plugin.smtp_host, plugin.port, timeout=timeout)
        with smtp:
            if mode == "starttls":
                smtp.starttls(context=context)
            if plugin.user and plugin.password:
                smtp.login(plugin.user, plugin.password)
            for index, recipient in enumerate(plugin.targets):
                mail = build(plugin, message, recipient, first=index == 0)
                extra = [*(plugin.cc if index == 0 else ()), *(plugin.bcc if index == 0 else ())]
                rejected = smtp.send_message(
                    mail, from_addr=str(plugin.from_addr[1]), to_addrs=[str(recipient[1]), *extra]
                )
                refused += [f"{addr}: {code} {reply!r}" for addr, (code, reply) in rejected.items()]
    except (OSError, smtplib.SMTPException) as exc:
        return False, f"SMTP {plugin.smtp_host}:{plugin.port}: {type(exc).__name__}: {exc}"
    if refused:
        return False, "the SMTP server refused " + "; ".join(refused)
    return True, ""
