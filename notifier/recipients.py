"""Whom a reply goes to: the person who wrote, never a third party named in the mail.

The collection address is public. Were every Reply-To followed, anyone
could have our receipts and notices sent to an address of their choice
(a relay with our name on it). So the answer goes to From; a Reply-To is
followed only when it is the writer's own: in the From address's domain
(not a free mail provider's, where a shared domain says nothing) or one
of the unit's roster addresses. An ignored Reply-To is noted for the
coordinator.
"""

from __future__ import annotations

import email.errors
import re
from email.headerregistry import Address
from email.utils import getaddresses

from parsers.facts import MailMessage, Submission
from rules.campaign import Campaign, RosterUnit

ADDRESS = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
# Free mailbox providers: that a Reply-To shares one of their domains with From says nothing of who owns it.
PUBLIC_DOMAINS = frozenset({
    "163.com", "126.com", "yeah.net", "188.com", "vip.163.com", "vip.126.com", "qq.com", "vip.qq.com",
    "foxmail.com", "sina.com", "sina.cn", "vip.sina.com", "sohu.com", "139.com", "189.cn", "wo.cn",
    "aliyun.com", "tom.com", "21cn.com", "gmail.com", "outlook.com", "hotmail.com", "live.com", "yahoo.com",
    "icloud.com", "me.com",
})


def _usable(raw: str) -> str | None:
    for _name, address in getaddresses([raw]):
        address = address.strip()
        if ADDRESS.match(address) and _sendable(address):
            return address
    return None


def _sendable(address: str) -> bool:
    """Whether the stdlib can put this address in a header (no raw non-ASCII local part)."""
    try:
        Address(addr_spec=address)
    except (ValueError, IndexError, email.errors.HeaderParseError, email.errors.MessageDefect):
        return False
    return True


def reply_address(message: MailMessage, unit: RosterUnit | None = None) -> str | None:
    """Who is answered: the writer (From); their Reply-To only when it is theirs; None if nobody can be.

    The collection address is public: following any Reply-To would let
    anyone send our receipts and notices to a third party. A Reply-To is
    followed when it is in the From address's own domain (not a free
    mailbox provider's) or is one of the unit's roster addresses.
    """
    sender = _usable(message.sender or "")
    reply_to = _usable(message.reply_to or "")
    if reply_to and _belongs_to_sender(reply_to, sender, unit):
        return reply_to
    return sender


def _belongs_to_sender(reply_to: str, sender: str | None, unit: RosterUnit | None) -> bool:
    if unit is not None and unit.owns_address(reply_to, domains=True):
        return True
    domain = (sender or "").rpartition("@")[2].lower()
    if not domain or domain in PUBLIC_DOMAINS:
        return reply_to.lower() == (sender or "").lower()
    theirs = reply_to.rpartition("@")[2].lower()
    return theirs == domain or theirs.endswith("." + domain)


def roster_unit(sub: Submission, campaign: Campaign | None) -> RosterUnit | None:
    """The roster entry of the unit a submission was resolved to, if the roster has it."""
    return campaign.roster.for_name(sub.unit) if campaign and sub.unit else None


def ignored_reply_to(sub: Submission, campaign: Campaign | None) -> str | None:
    """The coordinator's note when a Reply-To is not followed (who wrote is answered instead)."""
    reply_to = _usable(sub.message.reply_to or "")
    if not reply_to or reply_address(sub.message, roster_unit(sub, campaign)) == reply_to:
        return None
    return f"未按回复地址 {reply_to} 回复：该地址不属于发件人所在域或名册"
