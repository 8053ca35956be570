#!/usr/bin/env bash
# Set up symbackprop on a fresh machine: TeX Live for PDFs and bubblewrap to confine pdflatex, and Chromium (with
# the Latin Modern Math font) for the web pages' tests (where they are missing and we may install packages), then
# the package itself with its test tools.
set -euo pipefail
cd "$(dirname "$0")"

TEX_PACKAGES="texlive-latex-base texlive-latex-recommended texlive-pictures poppler-utils lmodern bubblewrap"
if ! command -v pdflatex >/dev/null || ! command -v bwrap >/dev/null || ! command -v pdftoppm >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $TEX_PACKAGES >/dev/null
  else
    echo "setup.sh: TeX Live or bubblewrap is missing; for PDFs run: sudo apt-get install $TEX_PACKAGES" >&2
  fi
fi

BROWSER_PACKAGES="chromium fonts-lmodern"
if ! command -v chromium >/dev/null || ! fc-list 2>/dev/null | grep -q "Latin Modern Math"; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $BROWSER_PACKAGES >/dev/null
  else
    echo "setup.sh: Chromium is missing; for the web pages' tests run: sudo apt-get install $BROWSER_PACKAGES" >&2
  fi
fi

python3 -m pip install --quiet --disable-pip-version-check -e '.[test,docs]'
