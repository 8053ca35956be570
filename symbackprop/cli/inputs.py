"""What a command reads: the spec (a file, a built-in example or the flags), a claim, a preset, the user's
templates; every file it reads, which -o may never overwrite."""

from __future__ import annotations

import argparse
import itertools
import os
from pathlib import Path
from typing import TYPE_CHECKING

from ..base.errors import SpecError
from ..base.output import read_regular_file, shown
from ..base.resources import example_path, templates_dir
from ..base.stages import stage
from ..derive.general_form import general_kind
from ..model import graph_spec
from ..model import spec as specs
from ..model.graph_spec import GraphSpec
from ..model.layers.stack import fits_graph, is_layered
from ..model.network import Network
from ..model.notation import preset_names

if TYPE_CHECKING:
    from ..model.layers.layer_graph import ArrayStack

# A [[layer]] stack's arrays and a linked network's graph are built where a spec has them: a network's spec, the one
# read most, is read without them and NumPy (issue 20).

MAX_CLAIM_BYTES = 1 << 20
# evaluate derives a [[layer]] stack's graph up to this many nodes (a 3,600-node CNN took 46 s of CPU); past it, or
# past the graph's limits, it computes the numbers with the stack's vectorised NumPy module instead
EVALUATED_NODES = 1_000  # a claim is one formula; a megabyte is far more than any


def load_graph(args: argparse.Namespace) -> tuple[GraphSpec, tuple[Path, ...]] | None:
    """The graph spec SPEC names, when it is one (a TOML file with a [graph] table); None for a network's spec or
    the flags. The files it reads come with it, as ``load_spec`` gives them."""
    if args.spec is None:
        return None
    stage("reading the spec")
    path, data = specs.read_toml(args.spec)
    if is_layered(data) and not graph_spec.is_graph(data):
        return _layered(args, path, data)
    if not graph_spec.is_graph(data):
        return _linked_network(args) if data.get("skip") or data.get("tie") else None
    flags = [
        k
        for k in ("layers", "activation", "cost", "bias", "index_base", "notation", "targets")
        if getattr(args, k, None)
    ]
    if flags:
        raise SpecError(f"--{flags[0].replace('_', '-')} is a network's; {shown(path)} is a graph spec")
    try:
        spec = graph_spec.from_mapping(data)
    except SpecError as err:
        raise SpecError(f"{shown(path)}: {err}") from None
    args.notes = ()
    files = [args.claim_file] if getattr(args, "claim_file", None) is not None else []
    templates = getattr(args, "templates", None)
    if templates is not None:
        files += _template_files(templates)
    return spec, (path, *files)


def load_stack(args: argparse.Namespace) -> tuple[ArrayStack, tuple[Path, ...]] | None:
    """The layer stack SPEC names, to be computed with whole arrays, when the command works it so: ``codegen``
    (its NumPy, PyTorch and JAX modules are vectorised) and ``evaluate`` on a stack whose graph would pass
    ``EVALUATED_NODES`` or the graph's limits; None otherwise (the graph commands take it, through ``load_graph``)."""
    if args.spec is None or getattr(args, "command", None) not in ("codegen", "evaluate"):
        return None
    from ..model.layers.layer_graph import array_stack

    stage("reading the spec")
    path, data = specs.read_toml(args.spec)
    if not is_layered(data) or graph_spec.is_graph(data):
        return None
    _layered_flags(args, path)
    try:
        arrays = array_stack(data)
    except SpecError as err:
        raise SpecError(f"{shown(path)}: {err}") from None
    if args.command == "evaluate" and fits_graph(arrays.stack) and arrays.graph_nodes <= EVALUATED_NODES:
        return None
    args.notes = ()
    return arrays, (path,)


def _layered_flags(args: argparse.Namespace, path: Path) -> None:
    """A dense network's flags refused on a spec of [[layer]] tables."""
    flags = [
        k
        for k in ("layers", "activation", "cost", "bias", "index_base", "notation", "targets")
        if getattr(args, k, None)
    ]
    if flags:
        raise SpecError(f"--{flags[0].replace('_', '-')} is a dense network's; {shown(path)} has [[layer]] tables")


def _layered(args: argparse.Namespace, path: Path, data: dict) -> tuple[GraphSpec, tuple[Path, ...]]:
    """A spec of [[layer]] tables, worked by the graph commands as the graph of its mean cost (``model.layers``)."""
    from ..model.layers.layer_graph import layered_spec

    _layered_flags(args, path)
    if getattr(args, "wrt2", None) is not None:
        raise SpecError("--wrt2: a spec of [[layer]] tables has its first derivatives worked, not second ones")
    stage("building the layers' graph")
    try:
        spec = layered_spec(data)
    except SpecError as err:
        raise SpecError(f"{shown(path)}: {err}") from None
    args.notes = ()
    return spec, (path,)


def _linked_network(args: argparse.Namespace) -> tuple[GraphSpec, tuple[Path, ...]]:
    """A network with skip connections or tied weights, worked by the graph commands as the graph of its cost
    C_0 (``dense_graph``); --wrt in the network's notation (w_{12}^{(2)}) becomes the graph's name for it."""
    from ..model.dense_graph import network_spec

    net, inputs = load_spec(args)
    if getattr(args, "wrt2", None) is not None:
        raise SpecError("--wrt2: a network with skip or tie has its first derivatives worked, not second ones")
    try:
        spec = network_spec(net)
    except SpecError as err:
        raise SpecError(f"{shown(inputs[0])}: {err}") from None
    if args.command == "verify" and spec.claims is None:
        raise SpecError("the spec has no [claims] table; add one (cost, [claims.values], [claims.gradients])")
    wrt = getattr(args, "wrt", None)
    if isinstance(wrt, str) and wrt.strip() != "all":
        if general_kind(wrt) is not None:
            raise SpecError(
                f"--wrt {wrt}: the general form is the layer-by-layer engine's; a network with skip or tie is "
                "derived one element at a time, as --wrt 'w_{12}^{(L)}', or --wrt all"
            )
        args.wrt = _graph_reference(net, spec, wrt)
    return spec, inputs


def _graph_reference(net: Network, spec: GraphSpec, wrt: str) -> str:
    """The graph's name for a reference in the network's notation, or one of the graph's own names (C_0, y_0)."""
    from ..model.dense_graph import graph_name

    try:
        return graph_name(net, net.ref(wrt))
    except SpecError as err:
        try:
            return spec.graph.symbol(wrt).name
        except SpecError:
            raise err from None


def load_spec(args: argparse.Namespace) -> tuple[Network, tuple[Path, ...]]:
    """The network from SPEC (a file or example:NAME) or from the flags; never both. With it, every file the
    command reads (the spec, a preset, a claim file, the --templates files), which -o may never overwrite.
    The spec's notes go in ``args.notes``, for main to print once the command is done."""
    stage("reading the spec")
    net, inputs = _load_spec(args)
    if getattr(args, "targets", None) is not None:  # verify's --targets, with a SPEC file or the flags: it wins
        net = Network.from_spec(specs.with_targets(net.spec, args.targets, "--targets"))
    args.notes = specs.notes(net.spec)
    return net, inputs


def _load_spec(args: argparse.Namespace) -> tuple[Network, tuple[Path, ...]]:
    flags = {k: getattr(args, k) for k in ("layers", "activation", "cost", "bias", "index_base", "notation")}
    given = {k: v for k, v in flags.items() if v is not None}
    if args.spec is not None:
        if given:
            raise SpecError("give a SPEC file or spec flags (--layers ...), not both")
        path = example_path(args.spec[len("example:") :]) if args.spec.startswith("example:") else Path(args.spec)
        net = Network.from_toml(path)
        return net, (path, *_other_inputs(args, net))
    if "layers" not in given:
        raise SpecError("give a SPEC file, example:NAME, or --layers (e.g. --layers 2,3,2)")
    net = Network.from_spec(specs.from_flags(given))
    return net, _other_inputs(args, net)


def _other_inputs(args: argparse.Namespace, net: Network) -> tuple[Path, ...]:
    """The files besides the spec that the command reads: a preset file, the claim file, the user's templates."""
    files = [] if net.spec.notation in preset_names() else [Path(net.spec.notation)]
    if getattr(args, "claim_file", None) is not None:
        files.append(args.claim_file)
    templates = getattr(args, "templates", None)
    if templates is not None:
        files += _template_files(templates)
    return tuple(files)


def _template_files(folder: Path, most: int = 10_000) -> list[Path]:
    """What a --templates folder may hand the renderer: a file of each shipped template's name in it, and its
    other files (up to ``most``, so --templates / does not walk the disk)."""
    shipped = templates_dir()
    files = [folder / p.relative_to(shipped) for p in shipped.rglob("*.j2")]
    for root, _, names in itertools.islice(os.walk(folder), most):
        files += [Path(root, name) for name in names[:most]]
        most -= len(names)
        if most <= 0:
            break
    return files


def claim_text(args: argparse.Namespace) -> str | None:
    if args.claim is not None and args.claim_file is not None:
        raise SpecError("give --claim or --claim-file, not both")
    if args.claim_file is None:
        return args.claim
    try:  # a regular file of bounded size: never a FIFO (which would hang) or /dev/zero
        data = read_regular_file(args.claim_file, MAX_CLAIM_BYTES, "claim file")
    except SpecError as err:
        raise SpecError(f"--claim-file {err}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise SpecError(f"--claim-file {shown(args.claim_file)}: not UTF-8 text") from None
