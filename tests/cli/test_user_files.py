"""The user's own files: templates with mistakes, preset files beside a spec, built-in examples from Python."""

from __future__ import annotations

import symbackprop as sbp


def test_a_mistake_in_your_own_template_names_the_template_not_a_bug(tmp_path, cmdline):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "derivation.txt.j2").write_text("\\BLOCK{ if x }\n")
    done = cmdline.run("derive", "example:3b1b", "--wrt", "w^{(L)}", "--templates", "mine", cwd=tmp_path)
    assert done.returncode == 2
    assert "derivation.txt.j2, line 1" in done.stderr and "internal error" not in done.stderr
    (mine / "derivation.txt.j2").write_text("\\VAR{ nosuch }\n")
    done = cmdline.run("derive", "example:3b1b", "--wrt", "w^{(L)}", "--templates", "mine", cwd=tmp_path)
    assert done.returncode == 2 and "'nosuch' is undefined" in done.stderr


def test_a_template_cannot_reach_python_beyond_the_data_it_is_given(tmp_path, cmdline):
    """Templates run sandboxed: a template from someone else can lay out the data, not run code."""
    mine = tmp_path / "mine"
    mine.mkdir()
    for attack in (
        "\\VAR{ cycler.__init__.__globals__.os.system('touch PWNED') }",
        "\\VAR{ lipsum.__globals__['os'].popen('touch PWNED').read() }",
        "\\VAR{ ''.__class__.__mro__[1].__subclasses__() }",
        "\\BLOCK{ set _ = net.layers.append(9) }",
    ):
        (mine / "derivation.txt.j2").write_text(attack + "\n")
        done = cmdline.run("derive", "example:3b1b", "--wrt", "w^{(L)}", "--templates", "mine", cwd=tmp_path)
        assert done.returncode == 2, (attack, done.stdout, done.stderr)
        assert "a template in mine" in done.stderr and "Traceback" not in done.stderr
        assert not (tmp_path / "PWNED").exists()


def test_a_preset_file_named_in_a_spec_is_found_beside_the_spec(tmp_path, cmdline):
    folder = tmp_path / "course"
    folder.mkdir()
    (folder / "mine.toml").write_text('name = "mine"\ncost_symbol = "E"\n')
    (folder / "net.toml").write_text('layers = [1, 1]\nnotation = "mine.toml"\n')
    done = cmdline.run("derive", "course/net.toml", "--wrt", "w^{(L)}", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "∂E/∂w^(L)" in done.stdout


def test_built_in_examples_load_from_python_by_name():
    assert sbp.Network.from_toml("example:mazur").layers == (2, 2, 2)


def test_a_tolerance_is_what_the_table_footer_says(tmp_path, cmdline):
    spec = tmp_path / "net.toml"
    spec.write_text(
        'layers = [1, 1]\nactivation = "identity"\nbias = "none"\n[values]\nx = [1.0]\ny = [0.0]\n'
        "weights = [[[2.0]]]\n[claims]\ntolerance = 0.5\ncost = 3.7\n"
    )
    done = cmdline.run("verify", str(spec), cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "within the table's tolerance, 0.5" in done.stdout
