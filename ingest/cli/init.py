"""`intake init`: a commented starter configuration for one built-in profile.

An office's IT person starts from a file that already names every key the
service reads, explained in Chinese, with placeholders to replace. Secrets
are never written: the file names the environment variables that hold them
(`password_env`), as the service reads them. An existing file is never
overwritten: it may be a season's working configuration.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from ingest.cli.common import COMMAND
from ingest.config.profile_files import DEFAULT_PROFILES, builtin_names, load_profiles

STARTER = """\
# intake 配置文件（由 intake init 生成）。征集：{title}（{notice}）
# 带“请修改”的各项须按本单位实际情况填写；其余各项可保持不变。
# 密码、授权码不写在本文件中：服务从 password_env 指定的环境变量读取
# （安装为系统服务时写在 /etc/intake/intake.env 中，权限 600）。

# 按哪个征集通知审核（内置名称，可用 intake profiles 查看；可写多个）。
profiles = [{profile}]

# ---------------------------------------------------------------- 收件邮箱
# 每个征集邮箱写一段 [[mailboxes]]；需在邮箱网页设置中开启 IMAP 服务并取得授权码。
[[mailboxes]]
name = "征集邮箱"                     # 汇总和 intake list 中显示的名字
host = "imap.example.org.cn"          # 请修改：收信服务器，如 imap.126.com、imap.qq.com
port = 993
security = "ssl"                      # ssl | starttls | none（none 只允许本机地址）
user = "zhzl@example.org.cn"          # 请修改：邮箱账号
password_env = "INTAKE_IMAP_PASSWORD" # 存放授权码的环境变量名（不是授权码本身）
folder = "INBOX"                      # 收取哪个文件夹，中文文件夹名也可以
processed_folder = ""                 # 可选，如 "已处理"：处理后移到这里；留空则标为已读并加 $Intake 标记
since = ""                            # 可选，如 "2022-04-01"：第一次收取时忽略更早的邮件

# ---------------------------------------------------------------- 发信服务器
# 回执、修改通知和每日汇总从这里发出。
[smtp]
host = "smtp.example.org.cn"          # 请修改：发信服务器，如 smtp.126.com
port = 465
security = "ssl"                      # ssl | starttls | none（none 只允许本机地址）
user = "zhzl@example.org.cn"          # 请修改：发信账号，一般与收件邮箱相同
password_env = "INTAKE_SMTP_PASSWORD" # 存放授权码的环境变量名（不是授权码本身）
max_per_recipient_per_hour = 5        # 同一收件人每小时最多几封（防止邮件来回循环）

# ---------------------------------------------------------------- 回复与协调人
[reply]
address = "zhzl@example.org.cn"       # 请修改：回复邮件的发件地址（与发信账号一致）
name = "智慧助老材料征集工作组"         # 回复邮件中的发件人名称
organisation = "社区教育指导中心"       # 请修改：落款单位
signature = ""                        # 可选：附加在回复末尾的联系方式等
coordinators = ["coordinator@example.org.cn"]  # 请修改：每日汇总发给谁（可写多个地址）

# ---------------------------------------------------------------- 时间安排
[schedule]
poll_seconds = 120                    # 每隔多少秒收取一次（不少于 10 秒）
digest_at = "08:00"                   # 每天几点（按征集时区）给协调人发汇总
remind_days_before = [7, 2]           # 每批截止前几天提醒名册中尚未报送的单位

# ---------------------------------------------------------------- 数据存放
[storage]
# 数据库（默认）、原始邮件与附件、回复发件箱、识别缓存都放在这个文件夹。
data_dir = {data_dir}
# 数据库地址；留空则用数据目录中的 SQLite 文件。
# 用 PostgreSQL 时写如 "postgresql://intake@/intake"（密码不要写在这里）。
database_url = ""

# ---------------------------------------------------------------- 网页控制台
[web]
enabled = false                       # true：intake run 同时提供网页控制台
host = "127.0.0.1"                    # 只在本机监听；让其他电脑访问须写明地址，并建议放在 HTTPS 反向代理之后
port = 8080
secure_cookies = false                # 放在 HTTPS 反向代理之后时改为 true
trusted_proxies = ["127.0.0.1"]       # 只相信这些地址（反向代理）发来的 X-Forwarded-* 头
"""


def starter_text(profile: str, data_dir: str) -> str:
    """The starter configuration for `profile`; strings are quoted the JSON way, which TOML reads alike."""
    campaign = load_profiles([profile], None, {})[0]
    return STARTER.format(title=campaign.title or profile, notice=campaign.notice or "通知文号未载明",
                          profile=_quoted(profile), data_dir=_quoted(data_dir))


def _quoted(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _profile_name(ctx: click.Context, param: click.Parameter, value: str) -> str:
    if value not in builtin_names():
        raise click.BadParameter(f"没有名为“{value}”的内置征集配置；可选：{'、'.join(builtin_names())}"
                                 "（用 intake profiles 查看各配置的说明）。")
    return value


@click.command("init", **COMMAND,
               help="生成一份带中文注释的起始配置文件（不含密码和授权码），按所选内置征集配置填写；已有同名文件时不覆盖。")
@click.argument("path", metavar="配置文件", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--profile", default=DEFAULT_PROFILES[0], show_default=True, metavar="征集", callback=_profile_name,
              help="按哪个内置征集配置生成（可用 intake profiles 查看）。")
@click.option("--data-dir", default="intake-data", show_default=True, metavar="文件夹",
              help="配置中写入的数据目录；安装为系统服务时用 /var/lib/intake。")
def init(path: Path, profile: str, data_dir: str) -> None:
    text = starter_text(profile, data_dir)
    try:
        with open(path, "x", encoding="utf-8") as out:  # "x": never replace a configuration, even one made meanwhile
            out.write(text)
    except FileExistsError:
        raise click.ClickException(f"文件 {path} 已存在，未作改动（不覆盖已有配置）。"
                                   "请另选文件名，或先移走原文件。") from None
    except OSError as exc:
        raise click.ClickException(f"无法写入 {path}：{exc.strerror or exc}") from None
    click.echo(f"已生成配置文件 {path}（征集：{profile}）。请修改其中带“请修改”的各项，"
               "并把授权码放入环境变量 INTAKE_IMAP_PASSWORD、INTAKE_SMTP_PASSWORD。")
