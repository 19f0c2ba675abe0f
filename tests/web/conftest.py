"""The console's test data: the demo's mails (and one hostile mail) filed into a temp SQLite, two accounts;
and a second collection under two profiles (Taizhou's quarterly tables beside Liaoning's forms).

The demo collection is built once per session (its scans go through real
OCR) and copied for each module, so a module that rejects or accepts does
not change what another sees; the profiles' one (spreadsheets only) is built
for each module that uses it.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

from ingest.config.settings import Settings, load_settings
from ingest.core.pipeline import Pipeline
from ingest.samples import profiles as samples
from ingest.samples.demo import demo_messages
from ingest.samples.forms import build_case_form
from tests.support.imap_server import free_port
from ingest.samples.mails import CST, MailSpec, build_mail
from storage import users

COORDINATOR, VIEWER = ("zhang", "Zhang-coord-2022"), ("li", "Li-viewer-2022")
SILENT_UNIT = "湖州市吴兴区社区学院"
HOSTILE_SUBJECT = "湖州市南浔区社区学院+智慧助老材料+1个<script>window.__pwned=1</script>"
HOSTILE_HTML = '<p>老师好</p><img src="x" onerror="window.__pwned=2"><script>window.__pwned=3</script>'
HOSTILE_FILE = "<img src=x onerror=alert(1)>案例.docx"
CONFIG = f'''
[storage]
data_dir = "{{root}}/data"
database_url = "sqlite:///{{root}}/intake.sqlite"

[roster]
units = [
  {{ name = "杭州市西湖区社区学院", addresses = ["xihu_sqxy@163.com"] }},
  {{ name = "宁波市鄞州区社区学院", aliases = ["鄞州社区学院"], addresses = ["yzsqxy@126.com"] }},
  {{ name = "温州市鹿城区社区学院", addresses = ["lcsqxy@qq.com"] }},
  {{ name = "嘉兴市社区教育指导中心", addresses = ["jxsqjy@163.com"] }},
  {{ name = "{SILENT_UNIT}", addresses = ["wxsqxy@163.com"] }},
]
'''


def hostile_mail() -> bytes:
    """Mail content is hostile: markup in the subject, an HTML body with scripts, a file name that closes a tag."""
    return build_mail(MailSpec(
        subject=HOSTILE_SUBJECT, sender=("南浔区社区学院", "nxsqxy@163.com"),
        body="", html=HOSTILE_HTML, charset="utf-8",
        attachments=[(HOSTILE_FILE, build_case_form(name="银龄课堂", unit="湖州市南浔区社区学院"))],
        date=datetime(2022, 4, 26, 9, 0, tzinfo=CST), message_id="<hostile-1@163.com>"))


@dataclass
class Collection:
    root: Path
    settings: Settings
    ids: dict[str, int]  # demo file name (or "hostile") -> submission id


def settings_in(root: Path) -> Settings:
    config = root / "intake.toml"
    config.write_text(CONFIG.replace("{root}", root.as_posix()), encoding="utf-8")
    return load_settings(config, outbox=root / "outbox")


@pytest.fixture(scope="session")
def demo_base(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("console-base")
    pipeline = Pipeline(settings_in(root))
    ids = {}
    for name, raw in [*demo_messages(), ("hostile", hostile_mail())]:
        ids[name] = pipeline.process(raw, name).submission_id
    users.add(pipeline.db, *COORDINATOR, role="coordinator")
    users.add(pipeline.db, *VIEWER, role="viewer")
    pipeline.db.engine.dispose()
    (root / "ids.txt").write_text("\n".join(f"{k}\t{v}" for k, v in ids.items() if v), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def collection(demo_base, tmp_path_factory) -> Collection:
    """A private copy of the demo collection for one test module."""
    root = tmp_path_factory.mktemp("console")
    shutil.copytree(demo_base, root, dirs_exist_ok=True)
    ids = dict(line.split("\t") for line in (root / "ids.txt").read_text("utf-8").splitlines())
    return Collection(root, settings_in(root), {k: int(v) for k, v in ids.items()})


def _served(settings: Settings):
    """The console served by uvicorn on a free loopback port, stopped when the generator is closed."""
    from web.server import ConsoleServer

    port = free_port()
    server = ConsoleServer(settings, "127.0.0.1", port).start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture(scope="module")
def console_url(collection):
    yield from _served(collection.settings)


TAIZHOU_ROSTER = {"黄岩区教育局": "hyjyj@126.com", "路桥区教育局": "lqjyj@126.com", "温岭市教育局": "wljyj@126.com",
                  "椒江区教育局": "jjjyj@126.com"}
TAIZHOU_SILENT = "椒江区教育局"  # sends no table; its one mail is held for review
LUQIAO_ROWS = [[3, 90, 2, 60, 1, 0, 0], [2, 40, 1, 30, 0, 1, 1], [0, 0, 0, 0, 0, 0, 0], [1, 20, 0, 0, 0, 0, 0]]
HUANGYAN_Q3_ROWS = [[10, 300, 6, 200, 2, 1, 1]] * 4
PROFILES_CONFIG = '''profiles = ["taizhou-2021", "liaoning-2022"]

[storage]
data_dir = "{root}/data"
database_url = "sqlite:///{root}/intake.sqlite"

[roster]
units = [
''' + "".join(f'  {{ name = "{n}", addresses = ["{a}"] }},\n' for n, a in TAIZHOU_ROSTER.items()) + "]\n"


def held_mail() -> bytes:
    """椒江 forwards "some material": no notice's words in the subject, nothing either notice asks for attached."""
    return build_mail(MailSpec(
        subject="转发：相关材料", sender=("椒江区教育局", "jjjyj@126.com"), body="您好，材料见附件。",
        attachments=[("说明.docx", samples.report_docx("关于老年人智能手机培训场地的说明", 300))],
        date=datetime(2021, 9, 20, 9, 0, tzinfo=CST), message_id="<held-jj@126.com>"))


def taizhou_messages() -> list[tuple[str, bytes]]:
    """Three bureaus' second-quarter tables (温岭's 合计 wrong), 黄岩's third quarter, 椒江's unroutable mail."""
    def at(month: int, day: int) -> datetime:
        return datetime(2021, month, day, 10, 0, tzinfo=CST)

    return [
        ("huangyan-q2", samples.taizhou_mail()),
        ("luqiao-q2", samples.taizhou_mail("路桥区教育局", address="lqjyj@126.com", rows=LUQIAO_ROWS, date=at(6, 26))),
        ("wenling-q2", samples.taizhou_mail("温岭市教育局", address="wljyj@126.com", date=at(6, 27),
                                            total=[27, 970, 18, 550, 6, 3, 2])),
        ("huangyan-q3", samples.taizhou_mail("黄岩区教育局", "2021年第三季度", rows=HUANGYAN_Q3_ROWS, date=at(9, 24))),
        ("held", held_mail()),
    ]


@pytest.fixture(scope="module")
def profiles_collection(tmp_path_factory) -> Collection:
    """Taizhou's quarterly tables and a mail held for review, under profiles taizhou-2021 and liaoning-2022."""
    root = tmp_path_factory.mktemp("console-profiles")
    config = root / "intake.toml"
    config.write_text(PROFILES_CONFIG.replace("{root}", root.as_posix()), encoding="utf-8")
    settings = load_settings(config, outbox=root / "outbox")
    pipeline = Pipeline(settings)
    ids = {name: pipeline.process(raw, name).submission_id for name, raw in taizhou_messages()}
    users.add(pipeline.db, *COORDINATOR, role="coordinator")
    users.add(pipeline.db, *VIEWER, role="viewer")
    pipeline.db.engine.dispose()
    return Collection(root, load_settings(config, outbox=root / "outbox"), ids)


@pytest.fixture(scope="module")
def profiles_url(profiles_collection):
    yield from _served(profiles_collection.settings)
