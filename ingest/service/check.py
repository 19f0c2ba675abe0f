"""`intake check` (体检): before the season, what in this configuration works and what will not, line by line.

Each check returns one `Finding`: what was checked, whether it works, whether
the service needs it (a missing ffprobe only stops the video check; a wrong
IMAP password stops everything), and a Chinese line an IT person can act on.
Nothing is sent and nothing is changed: mailboxes are logged into and their
folder selected, the SMTP server is logged into and left with QUIT.
"""

from __future__ import annotations

import ctypes.util
import os
import re
import shutil
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from ingest.config.settings import Settings
from ingest.core.delivery import smtp_sender
from ingest.service.mailbox import connect
from rules import clock
from storage import schema
from storage.database import maintenance

FREE_SPACE_FLOOR = 2 * 1024**3  # a season's raw mail and scans for a province fit in far less; below this, act now
_ADDRESS = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")


@dataclass
class Finding:
    name: str  # what was checked, in Chinese
    ok: bool
    needed: bool  # False: the service runs without it, one check is skipped
    detail: str  # in Chinese: what was found, or what to do

    @property
    def blocking(self) -> bool:
        return self.needed and not self.ok


def check_all(settings: Settings) -> list[Finding]:
    """Every check, in the order a person would fix things; none of them raises."""
    checks: list[Callable[[Settings], list[Finding]]] = [
        _configuration, _database, _data_dir, _programs, _mailboxes, _smtp, _coordinators, _calendar]
    return [finding for check in checks for finding in _safely(check, settings)]


def _safely(check: Callable[[Settings], list[Finding]], settings: Settings) -> list[Finding]:
    try:
        return check(settings)
    except Exception as exc:  # noqa: BLE001 - one broken check must not hide the others
        return [Finding(check.__name__.strip("_"), False, True, f"检查时出错：{exc}")]


def _configuration(settings: Settings) -> list[Finding]:
    names = "、".join(c.name for c in settings.profiles())
    return [Finding("配置文件", True, True, f"已读取，启用的征集：{names}")]


def _database(settings: Settings) -> list[Finding]:
    url = settings.database_url
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).parent.exists():
        where = Path(url.removeprefix("sqlite:///"))
        return [Finding("数据库", True, True, f"尚未建立：第一次运行时建立于 {where}（见“数据目录”一行能否写入）")]
    try:
        with maintenance(settings.database_url) as engine:
            state = schema.schema_state(engine)
    except Exception as exc:  # noqa: BLE001 - any driver error means the same to the reader
        return [Finding("数据库", False, True, f"无法连接（{exc}）。请检查 [storage] database_url 和数据库服务。")]
    if not state.has_tables:
        return [Finding("数据库", True, True, f"可以连接，尚无数据；第一次运行时按版本 {state.head} 建立")]
    if state.up_to_date:
        return [Finding("数据库", True, True, f"可以连接，结构版本 {state.current}（最新）")]
    return [Finding("数据库", False, True,
                    f"结构版本 {state.current or '未登记'}，本程序需要 {state.head}：请先备份，再运行 intake db upgrade")]


def _data_dir(settings: Settings) -> list[Finding]:
    folder = Path(settings.data_dir)
    existing = next(p for p in (folder, *folder.parents) if p.exists())
    if not os.access(existing, os.W_OK):
        return [Finding("数据目录", False, True, f"{folder} 无法写入：请把它交给运行 intake 的用户")]
    free = shutil.disk_usage(existing).free
    words = f"{folder}，剩余空间 {free / 1024**3:.1f} GB"
    if free < FREE_SPACE_FLOOR:
        return [Finding("数据目录", False, True, f"{words}，不足 {FREE_SPACE_FLOOR // 1024**3} GB：请清理或扩容")]
    return [Finding("数据目录", True, True, words)]


def _programs(settings: Settings) -> list[Finding]:
    from parsers.ocr import LANG

    found = []
    try:
        import pytesseract

        languages = pytesseract.get_languages()
        ok = LANG in languages
        found.append(Finding("文字识别（Tesseract）", ok, True, f"已安装，含 {LANG} 语言包" if ok else
                             f"缺少 {LANG} 语言包：请安装 tesseract-ocr-chi-sim"))
    except Exception:  # noqa: BLE001 - not installed, or not runnable
        found.append(Finding("文字识别（Tesseract）", False, True, "未安装：请安装 tesseract-ocr 和 tesseract-ocr-chi-sim"))
    office = shutil.which("soffice") or shutil.which("libreoffice")
    found.append(Finding("LibreOffice", bool(office), True, office or
                         "未安装：.doc、.wps 等旧格式将无法读取。请安装 libreoffice-writer-nogui 和 libreoffice-calc-nogui"))
    ffprobe = shutil.which("ffprobe")
    found.append(Finding("ffprobe", bool(ffprobe), False, ffprobe or "未安装：附件视频的技术要求将不检查（请安装 ffmpeg）"))
    libarchive = ctypes.util.find_library("archive")
    found.append(Finding("解压（libarchive）", bool(libarchive), True, libarchive or
                         "未安装：RAR、tar 压缩包将无法打开。请安装 libarchive13"))
    return found


def _mailboxes(settings: Settings) -> list[Finding]:
    if not settings.mailboxes:
        return [Finding("收件邮箱", True, False, "配置中没有邮箱（[[mailboxes]]），来信只能用 intake ingest 导入")]
    found = []
    for box in settings.mailboxes:
        name = f"收件邮箱“{box.name}”"
        try:
            client = connect(box, timeout=20)
        except Exception as exc:  # noqa: BLE001 - MailboxError carries the Chinese reason
            found.append(Finding(name, False, True, str(exc)))
            continue
        try:
            client.logout()
        except Exception:  # noqa: BLE001 - logged in and selected is what was asked
            pass
        found.append(Finding(name, True, True, f"账号 {box.user}，服务器 {box.host}:{box.port}，文件夹 {box.folder} 可以打开"))
    return found


def _smtp(settings: Settings) -> list[Finding]:
    sender = smtp_sender(settings)
    if sender is None:
        return [Finding("发信（SMTP）", False, False, "没有配置 [smtp]：回复只写入发件箱文件夹，不会发出")]
    sender.timeout = 20
    try:
        sender.check_login()
    except Exception as exc:  # noqa: BLE001 - smtplib and ssl raise many kinds
        return [Finding("发信（SMTP）", False, True, f"无法登录 {sender.host}:{sender.port}（{exc}）。请检查地址、端口、"
                        f"加密方式和环境变量 {sender.password_env} 中的授权码")]
    return [Finding("发信（SMTP）", True, True, f"账号 {sender.username or '（无需登录）'}，服务器 {sender.host}:{sender.port} 可以登录（未发送邮件）")]


def _coordinators(settings: Settings) -> list[Finding]:
    bad = [a for a in settings.coordinators if not _ADDRESS.match(a)]
    if bad:
        return [Finding("协调人邮箱", False, True, f"地址格式有误：{'、'.join(bad)}")]
    if not settings.coordinators:
        return [Finding("协调人邮箱", False, False, "没有配置 [reply] coordinators：每日汇总和需人工处理的提醒无人接收")]
    return [Finding("协调人邮箱", True, True, "、".join(settings.coordinators))]


def _calendar(settings: Settings) -> list[Finding]:
    now = clock.now()
    found = []
    for campaign in settings.profiles():
        ahead = campaign.next_batch(now)
        zone = getattr(campaign.zone, "key", str(campaign.zone))
        words = (f"时区 {zone}，下一个截止：{ahead.name} {clock.cn_datetime(ahead.deadline, campaign.zone)}" if ahead
                 else f"时区 {zone}，所有批次的截止时间都已过去：迟到的来信将记为逾期")
        found.append(Finding(f"征集“{campaign.name}”", ahead is not None, False, words))
    return found


def as_json(findings: list[Finding]) -> dict:
    return {"ok": not any(f.blocking for f in findings), "checks": [asdict(f) for f in findings]}
