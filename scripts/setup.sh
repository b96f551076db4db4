#!/usr/bin/env bash
# Install what nn-explainer needs, and only what is missing: Debian packages for
# manim's Cairo/Pango/LaTeX, then a virtual environment in .venv with the project in
# it. Safe to run again: a second run checks, finds everything, and installs nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  build-essential pkg-config libcairo2-dev libpango1.0-dev          # pycairo, manimpango: no Linux wheels
  texlive-latex-base texlive-latex-recommended texlive-latex-extra  # MathTex
  texlive-fonts-recommended dvisvgm
)
# The tests also open the embed pages (gallery, widget) in a real browser, through Playwright.
if [ "${1:-}" = "--for-tests" ]; then APT_PACKAGES+=(chromium); fi

missing=()
for package in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
    || { echo "setup: nn-explainer needs Python 3.11 or newer ($python is $("$python" --version))" >&2; exit 1; }
  echo "setup: creating .venv"
  "$python" -m venv .venv
fi

# The narrator's voice (GPL-3.0 piper-tts, an optional extra) and the ONNX reader
# (`render.py import model.onnx`) for both; the tests (and so CI) also run the Ray
# engine: they need the cluster extra.
extras="dev,voice,onnx"
if [ "${1:-}" = "--for-tests" ]; then extras="dev,cluster,voice,onnx"; fi

# Reinstall only when what we ask for changed: the stamp is a hash of pyproject.toml and the extras.
stamp=".venv/.nn-explainer-installed"
wanted="$(sha256sum pyproject.toml | cut -d' ' -f1) $extras"
if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
  echo "setup: installing Python packages into .venv (torch is large: a few minutes the first time)"
  .venv/bin/python -m pip install -q -e ".[$extras]"
  echo "$wanted" > "$stamp"
fi
