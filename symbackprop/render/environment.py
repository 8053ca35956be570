"""The one Jinja2 environment every renderer uses, with delimiters LaTeX cannot collide with, and a sandbox that
holds against a template someone else wrote.

``\\BLOCK{...}`` for statements, ``\\VAR{...}`` for values, ``\\#{...}`` for comments; strict about undefined
names; no HTML escaping (plain text reaches LaTeX through the ``escape`` filter) except in a web page's template
(``*.html.j2``), which escapes every value it prints. A user's ``--templates DIR`` is
searched before the shipped templates, so a template someone else wrote may run. What keeps it harmless:

- it receives plain data only (``data.plain`` checks every context) and the project's filters, which lay out
  data and do nothing else: there is no object to call a method of that parses, computes, reads or renders;
- Jinja2's immutable sandbox: no attribute that begins with ``_``, no changing what it was given;
- sizes: ``*`` and ``**`` that would make a string, list or number past ``MAX_SIZE``, and any call given a
  number past it, are refused before they run; a document past ``MAX_DOCUMENT`` characters is refused as it
  is written; rendering stops at ``RENDER_SECONDS``;
- files: a template is a regular UTF-8 file of at most ``MAX_TEMPLATE_BYTES`` inside the folder; a link
  leading out of it, a FIFO, a device or a directory in a template's place is an error naming it.
"""

from __future__ import annotations

import functools
import os
import stat
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import jinja2
from jinja2.loaders import split_template_path
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from ..base.cache_folder import user_cache_folder
from ..base.errors import SpecError, check_text
from ..base.resources import templates_dir
from ..base.time_guard import within
from .data import plain
from .filters import FILTERS

MAX_SIZE = 10_000_000  # the largest string or list a template may make with * or pass to a call, and its numbers
MAX_POWER_BITS = 100_000  # bits of an integer power a template may compute
MAX_DOCUMENT = 50_000_000  # characters of a rendered document
MAX_TEMPLATE_BYTES = 1 << 20
RENDER_SECONDS = 30.0  # a shipped template renders any document in well under a second


CACHE_KEY = "v2"  # in the compiled templates' file names: change it when the environment's settings change


class Sandbox(ImmutableSandboxedEnvironment):
    """Jinja2's immutable sandbox, with sizes bounded before the work (see the module's docstring)."""

    intercepted_binops = frozenset({"*", "**"})

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        """A type's attributes are refused: ``dict.update(d, ...)`` would change the data through the type, past
        the immutable sandbox's check, which looks at the instance."""
        return not isinstance(obj, type) and super().is_safe_attribute(obj, attr, value)

    def call_binop(self, context: jinja2.runtime.Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            _check_repeat(left, right)
            _check_repeat(right, left)
        elif _is_int(left) and _is_int(right) and right > 0 and right * abs(left).bit_length() > MAX_POWER_BITS:
            raise SecurityError(f"the power {left}**{right} is too large for a template to compute")
        return super().call_binop(context, operator, left, right)

    def call(__self, __context: jinja2.runtime.Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        _check_sizes(args, kwargs)
        return super().call(__context, __obj, *args, **kwargs)


def _check_sizes(args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    for value in (*args, *kwargs.values()):
        if _is_int(value) and abs(value) > MAX_SIZE:
            raise SecurityError(f"a template may not pass a number past {MAX_SIZE:,} to a function or filter")


def _bounded_filter(f: Callable[..., Any]) -> Callable[..., Any]:
    """A filter whose arguments past the value are checked as a call's are: ``'x' | center(10**9)`` is refused.
    The compiled template calls a filter directly, not through ``Sandbox.call``."""

    @functools.wraps(f)  # keeps Jinja's pass_context and pass_environment marks
    def bounded(*args: Any, **kwargs: Any) -> Any:
        _check_sizes(args[1:], kwargs)
        return f(*args, **kwargs)

    return bounded


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_repeat(sequence: Any, times: Any) -> None:
    if isinstance(sequence, (str, list, tuple)) and _is_int(times) and len(sequence) * times > MAX_SIZE:
        raise SecurityError(f"a template may not make a string or list of more than {MAX_SIZE:,} items")


def _is_html(name: str | None) -> bool:
    """A web page's template (``*.html.j2``) escapes every value it prints; the others print text as it is."""
    return name is not None and name.endswith(".html.j2")


def environment(user_templates: Path | None = None) -> Sandbox:
    """Build the environment: the user's templates first, then the shipped ones; the project's filters only."""
    loaders: list[jinja2.BaseLoader] = []
    if user_templates is not None:
        loaders.append(UserLoader(str(user_templates)))
    loaders.append(jinja2.FileSystemLoader(str(templates_dir())))
    env = Sandbox(
        loader=jinja2.ChoiceLoader(loaders),
        bytecode_cache=_bytecode_cache(),
        block_start_string=r"\BLOCK{",
        block_end_string="}",
        variable_start_string=r"\VAR{",
        variable_end_string="}",
        comment_start_string=r"\#{",
        comment_end_string="}",
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=_is_html,
        undefined=jinja2.StrictUndefined,
    )
    env.globals = {"range": env.globals["range"], "namespace": env.globals["namespace"]}
    env.filters.update(FILTERS)
    env.filters = {name: _bounded_filter(f) for name, f in env.filters.items()}
    return env


@functools.cache
def _bytecode_cache() -> jinja2.BytecodeCache | None:
    """Templates compiled once and kept between runs (compiling the document templates was a sixth of a derive
    to text): Jinja2's cache, in the user's cache folder ($XDG_CACHE_HOME or ~/.cache, then
    symbackprop/templates), used only while that folder is this user's alone. A template's entry is used only
    while its source is unchanged (Jinja2 checks a checksum); SYMBACKPROP_NO_CACHE=1 turns it off."""
    folder = user_cache_folder("templates")
    if folder is None:
        return None
    return jinja2.FileSystemBytecodeCache(folder, pattern=f"__{CACHE_KEY}_%s.cache")


def render_template(name: str, context: Mapping[str, Any], user_templates: Path | None = None) -> str:
    """Template ``name`` filled in with ``context`` (checked to be plain data), within the sizes and the time the
    module's docstring gives; past them, a one-line SpecError."""
    plain(dict(context))
    template = environment(user_templates).get_template(name)

    def write() -> str:
        parts, size = [], 0
        for chunk in template.generate(**context):
            size += len(chunk)
            if size > MAX_DOCUMENT:
                raise SpecError(f"the document passed {MAX_DOCUMENT:,} characters, the most a template may write")
            parts.append(chunk)
        return "".join(parts)

    out = within(RENDER_SECONDS, write)
    if out is None:
        raise SpecError(f"rendering {name} ran past {RENDER_SECONDS:g} s, the most a template may take")
    return check_text(out, f"the document {name} wrote")


class UserLoader(jinja2.BaseLoader):
    """The user's folder. A template there must be a regular UTF-8 file of at most MAX_TEMPLATE_BYTES inside the
    folder: a link leading out of it, a FIFO, a device or a directory in a template's place is a template error
    naming it (never skipped in favour of the shipped template, never read, never waited on). The file is opened
    once and every check is made on what was opened, so a name swapped for a link between a check and the read
    gets nothing past them."""

    def __init__(self, folder: str) -> None:
        self.folder = folder

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        pieces = split_template_path(template)  # refuses "..", as Jinja does
        path = Path(self.folder, *pieces)
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        except FileNotFoundError:
            if os.path.islink(path):
                raise jinja2.TemplateError(f"{template}: a link to nothing") from None
            raise jinja2.TemplateNotFound(template) from None
        except OSError as err:
            raise jinja2.TemplateError(f"{template}: cannot be read ({err.strerror})") from None
        try:
            data = self._read(fd, template)
        finally:
            os.close(fd)
        try:
            source = data.decode("utf-8")
        except UnicodeDecodeError:
            raise jinja2.TemplateError(f"{template}: not UTF-8 text") from None
        return source, str(path), lambda: False

    def _read(self, fd: int, template: str) -> bytes:
        """The opened file's bytes, once it is known to be a regular file inside the folder."""
        if not _opened_path(fd).is_relative_to(Path(self.folder).resolve()):
            raise jinja2.TemplateError(f"{template}: reached through a link leading out of the folder; copy it in")
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            kind = "a directory" if stat.S_ISDIR(mode) else "not a regular file"
            raise jinja2.TemplateError(f"{template}: {kind}, so it cannot be a template")
        os.set_blocking(fd, True)
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(MAX_TEMPLATE_BYTES + 1)
        if len(data) > MAX_TEMPLATE_BYTES:
            raise jinja2.TemplateError(f"{template}: larger than 1 MiB, the most a template may be")
        return data

    def list_templates(self) -> list[str]:
        return []


def _opened_path(fd: int) -> Path:
    """Where an open file is, as the system sees it (Linux /proc/self/fd); on another system, the path it names."""
    try:
        return Path(os.readlink(f"/proc/self/fd/{fd}"))
    except OSError:
        return Path(os.path.realpath(f"/dev/fd/{fd}"))
