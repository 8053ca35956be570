#!/usr/bin/env bash
# Set up symbackprop on a fresh machine: TeX Live for PDFs and bubblewrap to confine pdflatex (where they
# are missing and we may install packages), then the package itself with its test tools.
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

python3 -m pip install --quiet --disable-pip-version-check -e '.[test,docs]'
