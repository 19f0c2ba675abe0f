"""Our own failures in words a coordinator can act on.

An internal failure is the coordinator's to see, never a notice to the
submitter: the pipeline and `intake reprocess` both name it with this.
"""

from __future__ import annotations

from parsers.facts import ReadingFailed


def failure_in_words(exc: Exception) -> str:
    """What went wrong, for a coordinator: Chinese words, not an exception class."""
    text = str(exc)
    if isinstance(exc, ReadingFailed):
        return text
    driver = getattr(exc, "orig", None)  # the database driver's own error, without the SQL and the mail's values
    if isinstance(driver, Exception):
        return f"数据库出错（{type(driver).__name__}：{str(driver).strip()}）"
    if isinstance(exc, TimeoutError):
        return f"处理超时（{text}）" if text else "处理超时"
    if isinstance(exc, FileNotFoundError):
        return text if any("\u4e00" <= ch <= "\u9fff" for ch in text) else f"找不到所需的文件或程序（{text}）"
    if isinstance(exc, PermissionError):
        return f"没有读写权限（{text}）"
    if isinstance(exc, OSError):
        return f"读写文件或网络时出错（{text}）"
    if isinstance(exc, MemoryError):
        return "内存不足"
    return f"程序内部错误（{type(exc).__name__}：{text}）"
