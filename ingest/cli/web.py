"""`intake web` and `intake user add/passwd/list`: the console and its accounts.

Passwords are read from standard input only (`--password-stdin`), never from
the command line, where other users of the machine could see them.
"""

from __future__ import annotations

import sys

import click
from rich.console import Console
from rich.table import Table

from ingest.cli.common import CONTEXT, COMMAND, load, settings_options
from rules import clock
from storage import users
from storage.database import Database

ROLE_CN = {"coordinator": "协调人（可修改）", "viewer": "只读"}


@click.command("web", **COMMAND, help="运行网页控制台（总览、单位、报送详情、统计表、导出）。按 Ctrl+C 停止。")
@settings_options
@click.option("--host", metavar="地址", help="监听地址，默认取配置 [web] host（127.0.0.1，只允许本机访问）。")
@click.option("--port", type=click.IntRange(1, 65535), metavar="端口", help="端口，默认取配置 [web] port（8080）。")
def web_command(config, db, host, port) -> None:
    from web.server import describe, serve

    settings = load(config, db)
    host, port = host or settings.web.host, port or settings.web.port
    if not users.all_users(Database(settings.database_url)):
        click.echo("提示：还没有任何账号，请先运行 intake user add 用户名 --password-stdin。", err=True)
    click.echo(f"网页控制台：{describe(host, port)}")
    serve(settings, host, port)


@click.group("user", help="网页控制台的账号：添加、修改密码、列出。", context_settings=CONTEXT,
             options_metavar="[选项]", subcommand_metavar="命令 [参数]...")
def user_group() -> None:
    pass


def _password(from_stdin: bool, name: str) -> str:
    """The password from standard input (its first line), e.g. `echo 密码 | intake user add 张三 --password-stdin`."""
    if not from_stdin:
        raise click.UsageError("请用 --password-stdin 从标准输入提供密码（不要把密码写在命令行上）。")
    password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise click.UsageError(f"没有从标准输入读到“{name}”的密码。")
    return password


def _database(config, db) -> Database:
    return Database(load(config, db).database_url)


def _stdin_option(func):
    return click.option("--password-stdin", "from_stdin", is_flag=True,
                        help="从标准输入读取密码（第一行）。")(func)


@user_group.command("add", **COMMAND, help="添加账号：coordinator 可以通过、退回和重发回复；viewer 只能查看。")
@click.argument("name", metavar="用户名")
@click.option("--role", type=click.Choice(users.ROLES), default="coordinator", show_default=True, metavar="角色",
              help="coordinator（协调人）或 viewer（只读）。")
@_stdin_option
@settings_options
def user_add(name, role, from_stdin, config, db) -> None:
    try:
        user = users.add(_database(config, db), name, _password(from_stdin, name), role)
    except users.UserError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"已添加账号“{user.name}”：{ROLE_CN[user.role]}。")


@user_group.command("passwd", **COMMAND, help="修改账号的密码（该账号已登录的浏览器需要重新登录）。")
@click.argument("name", metavar="用户名")
@_stdin_option
@settings_options
def user_passwd(name, from_stdin, config, db) -> None:
    try:
        users.set_password(_database(config, db), name, _password(from_stdin, name))
    except users.UserError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"已修改“{name}”的密码。")


@user_group.command("list", **COMMAND, help="列出网页控制台的全部账号。")
@settings_options
def user_list(config, db) -> None:
    settings = load(config, db)
    table = Table(title="网页控制台账号")
    for column in ("用户名", "角色", "添加时间"):
        table.add_column(column)
    for user in users.all_users(Database(settings.database_url)):
        table.add_row(user.name, ROLE_CN.get(user.role, user.role), clock.cn_datetime(user.created_at,
                                                                                     settings.campaign.zone))
    Console().print(table)


COMMANDS = [web_command, user_group]
