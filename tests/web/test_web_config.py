"""[web] secure_cookies and trusted_proxies: read from the configuration, refused in words when wrong."""

from __future__ import annotations

import pytest

from ingest.config.settings import ConfigError, load_settings


def _web(tmp_path, text: str):
    config = tmp_path / "intake.toml"
    config.write_text(f"[web]\n{text}\n", encoding="utf-8")
    return load_settings(config).web


def test_defaults_are_plain_cookies_and_the_local_proxy_only(tmp_path):
    web = _web(tmp_path, "")
    assert web.secure_cookies is False and web.trusted_proxies == ["127.0.0.1"]


def test_secure_cookies_and_trusted_proxies_are_read(tmp_path):
    web = _web(tmp_path, 'secure_cookies = true\ntrusted_proxies = ["10.0.0.5", "192.168.1.0/24"]')
    assert web.secure_cookies is True and web.trusted_proxies == ["10.0.0.5", "192.168.1.0/24"]


@pytest.mark.parametrize("text, words", [
    ('secure_cookies = "yes"', "secure_cookies 只能写 true 或 false"),
    ('trusted_proxies = ["*"]', "trusted_proxies 应是地址列表"),
    ('trusted_proxies = ["proxy.example.org"]', "trusted_proxies 应是地址列表"),
])
def test_wrong_values_are_refused_in_words(tmp_path, text, words):
    with pytest.raises(ConfigError, match=words):
        _web(tmp_path, text)
