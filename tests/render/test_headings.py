"""The sectioning level of a document's parts follows the preset's ``section`` key, never a fixed \\section*."""

from __future__ import annotations

import pytest

from symbackprop import documents
from symbackprop.base.errors import SpecError
from symbackprop.derive.derivation import derive
from symbackprop.model.network import Network


def _preset(tmp_path, section: str):
    path = tmp_path / "mine.toml"
    path.write_text(f'name = "mine"\nsection = "{section}"\n', encoding="utf-8")
    return str(path)


def test_a_body_for_a_chapter_of_your_own_starts_one_level_down(tmp_path):
    net = Network(layers=[2, 3, 2], notation=_preset(tmp_path, "subsection"))
    body = documents.render(derive(net, "w_{00}^{(L-1)}"), "tex-body")
    assert r"\subsection*{The network and its notation}" in body and r"\section*" not in body
    assert r"\subsection*{Step 1" in body


def test_the_default_is_section(tmp_path):
    body = documents.render(derive(Network(layers=[2, 3, 2]), "w_{00}^{(L-1)}"), "tex-body")
    assert r"\section*{The network and its notation}" in body and r"\section*{Step 1" in body


def test_a_level_latex_does_not_have_is_refused(tmp_path):
    with pytest.raises(SpecError, match="section must be one of section, subsection, subsubsection"):
        Network(layers=[2, 1], notation=_preset(tmp_path, "chapter"))
