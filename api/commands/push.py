"""``enlargement-kg push``: load a release or the graph into a SPARQL 1.1 store."""

from __future__ import annotations

from pathlib import Path

from ..core.config import Settings
from ..core.push import PushError, graph_payloads, load_release, push, source_version
from . import CLIError


def cmd_push(args) -> int:
    token = args.token or Settings.from_env().token
    try:
        if args.release:
            store = load_release(Path(args.release))
            source = f"release {args.release}"
        elif args.store:
            from ..core.oxigraph_store import OxigraphStore

            store = OxigraphStore.open(args.store)
            source = f"store {args.store}"
        else:
            from ..core.build import BuildError, build_memory

            try:
                store = build_memory(validate_data="cached").store
            except BuildError as exc:
                raise CLIError(f"the graph does not build: {exc}") from None
            source = "the current graph"
        payloads = graph_payloads(store, graph=args.graph)
        res = push(
            endpoint=args.endpoint,
            payloads=payloads,
            protocol=args.protocol,
            token=token,
            timeout=args.timeout,
            version=None if args.no_meta else source_version(store, payloads),
        )
    except PushError as exc:
        raise CLIError(str(exc)) from None
    how = "Graph Store Protocol PUT" if res.protocol == "gsp" else "SPARQL Update"
    for g in res.graphs:
        print(f"  {g.graph}: {g.triples} triples (HTTP {g.status})")
    print(
        f"pushed {res.triples} triples in {len(res.graphs)} graph(s) from {source} to "
        f"{res.endpoint} by {how}"
    )
    return 0


def _push_parser(sub) -> None:
    p = sub.add_parser(
        "push",
        help="load a release or the graph into a SPARQL 1.1 store",
        description="Replace graphs in any SPARQL 1.1 store: with the Graph "
        "Store HTTP Protocol (PUT ?graph=IRI) where the endpoint is a graph "
        "store, else with SPARQL Update (staged and swapped in with MOVE). "
        "Each named graph of the source keeps its name, unless "
        "--graph puts everything into one graph. Exit 1 when the store "
        "refuses.",
    )
    p.add_argument(
        "--endpoint",
        required=True,
        metavar="URL",
        help="the store's Graph Store Protocol or SPARQL Update endpoint",
    )
    p.add_argument("--graph", metavar="IRI", help="push everything into this one graph")
    p.add_argument("--token", help="bearer token (default: $ENLARGEMENT_KG_TOKEN)")
    p.add_argument(
        "--release",
        metavar="DIR",
        help="a release folder (or an N-Quads/TriG dump) to push instead of the current graph",
    )
    p.add_argument("--store", help="a store folder written by `build`")
    p.add_argument(
        "--protocol",
        choices=("auto", "gsp", "update"),
        default="auto",
        help="auto (default) probes the endpoint",
    )
    p.add_argument("--timeout", type=float, default=120.0, help="seconds per request")
    p.add_argument(
        "--no-meta",
        action="store_true",
        help="do not write the graph version and the list of graphs pushed into "
        "https://w3id.org/eu-enlargement/graph/meta (read by `serve --store URL`)",
    )
    p.set_defaults(func=cmd_push)


def register(sub) -> None:
    """``push``."""
    _push_parser(sub)
