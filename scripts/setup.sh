#!/usr/bin/env bash
# Set up everything intake needs on a fresh Debian machine: system packages
# (Tesseract with Chinese, CJK fonts, PostgreSQL, Dovecot, faketime, headless Chromium and systemd-analyze for the tests) and
# the virtualenv with the project installed. Safe to run again: it only
# installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(tesseract-ocr tesseract-ocr-chi-sim fonts-noto-cjk postgresql python3-venv libreoffice-writer-nogui libreoffice-calc-nogui python3-uno faketime dovecot-imapd libarchive13 7zip ffmpeg chromium chromium-driver systemd)
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "正在安装系统软件包：${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
# Exactly the versions the suite passed with (requirements.lock, refreshed on
# purpose by scripts/lock.sh), then intake itself without resolving anything.
.venv/bin/python -m pip install -q -r requirements.lock
.venv/bin/python -m pip install -q --no-deps --no-build-isolation -e .
