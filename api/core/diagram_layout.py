"""The layout of the ontology diagram (:mod:`.diagram` renders it as SVG): which boxes
and edges to draw (:func:`model`), then where (:func:`layout`).

The layout is a small layered (Sugiyama-style) one: longest-path layers (a superclass above
its subclasses, a property's domain above its range), dummy nodes on long edges, barycentre
ordering sweeps, then x positions pulled towards neighbours. Text widths are estimated for a
monospace font, so the output is deterministic and needs no renderer.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from .ontology_doc import MODULES, NS, OntologyDoc, Ref, Term

CHAR = 0.602  #: advance width of a monospace glyph, in em
TITLE_PX, TEXT_PX, LABEL_PX = 12.0, 10.5, 10.0
LINE = 13.0
PAD = 6.0
MAX_BOX = 250.0
MAX_WIDTH = 1500.0  #: layers wider than this are thinned by :func:`balance`
GAP_X, GAP_Y = 26.0, 78.0
DUMMY_W = 8.0
MARGIN = 20.0


def text_width(s: str, px: float) -> float:
    return len(s) * px * CHAR


@dataclass
class Node:
    key: str  #: local name, or a CURIE for an external class
    title: str
    module: str
    href: str
    stereotypes: list[str] = field(default_factory=list)
    attributes: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)  #: wrapped lines
    external: bool = False
    dummy: bool = False
    w: float = 0.0
    h: float = 0.0
    x: float = 0.0  #: left
    y: float = 0.0  #: top
    rank: int = 0

    @property
    def cx(self) -> float:
        return self.x + self.w / 2


@dataclass
class Edge:
    source: str  #: upper end (superclass, or domain)
    target: str  #: lower end (subclass, or range)
    kind: str  #: subclass | property | restriction
    label: str = ""
    chain: list[str] = field(default_factory=list)  #: node keys, dummies included
    points: list[tuple[float, float]] = field(default_factory=list)
    label_at: tuple[float, float] | None = None


@dataclass(frozen=True)
class Diagram:
    """The placed diagram; :func:`.diagram.to_svg` renders it."""

    width: float
    height: float
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    version: str
    not_drawn: tuple[str, ...]


def short(ref: Ref) -> str:
    """A datatype or class as written in a box: ``date`` for xsd:date, else the CURIE."""
    if ref.curie.startswith("xsd:"):
        return ref.curie[4:]
    return ref.name or ref.curie


def wrap(words: list[str], width: float, px: float, lead: str = "") -> list[str]:
    lines, cur = [], lead
    for i, w in enumerate(words):
        piece = w + ("," if i < len(words) - 1 else "")
        trial = (cur + " " + piece) if cur.strip() else (cur + piece)
        if text_width(trial, px) > width and cur.strip():
            lines.append(cur)
            cur = "  " + piece
        else:
            cur = trial
    if cur.strip():
        lines.append(cur)
    return lines


def model(doc: OntologyDoc, *, href_prefix: str) -> tuple[dict[str, Node], list[Edge], list[str]]:
    """Choose the boxes and edges to draw (see the module docstring)."""
    classes = {t.name: t for t in doc.terms if t.is_class}
    props = [t for t in doc.terms if not t.is_class]
    main, edges, not_drawn = _property_edges(classes, props)
    _add_structural_classes(classes, main)
    _add_ancestors(classes, main)
    nodes = {name: _box(classes[name], classes, props, main, href_prefix) for name in sorted(main)}
    edges += _class_edges(classes, main)
    edges += _external_boxes(classes, nodes, edges)
    edge_list = _merge_parallel(edges)
    _inline_code_lists(nodes, edge_list)
    for n in nodes.values():
        _size(n)
    return nodes, edge_list, sorted(not_drawn)


def _enl_supers(t: Term, classes: dict[str, Term]) -> list[str]:
    """The superclasses of ``t`` that are classes of this ontology."""
    return [r.name for r in t.superclasses if r.name in classes]


def _property_edges(
    classes: dict[str, Term], props: list[Term]
) -> tuple[set[str], list[Edge], list[str]]:
    """The domains and ranges of the object and datatype properties: the main classes they
    make, an edge per object property and (domain, range) pair, and the properties with no
    domain (not drawn)."""
    main: set[str] = set()
    edges: list[Edge] = []
    not_drawn: list[str] = []
    for p in props:
        if p.kind not in ("object property", "datatype property"):
            continue
        doms = [m.name for r in p.domain for m in r.named if m.name in classes]
        if not doms:
            not_drawn.append(p.name)
            continue
        main.update(doms)
        if p.kind == "object property":
            for rng in (m for r in p.range for m in r.named):
                if rng.name in classes or (rng.name is None and rng.curie != "owl:Class"):
                    main.update([rng.name] if rng.name else [])
                    for d in doms:
                        edges.append(Edge(d, rng.name or rng.curie, "property", p.name))
    return main, edges, not_drawn


def _add_structural_classes(classes: dict[str, Term], main: set[str]) -> None:
    """Add to ``main`` the classes with subclasses, the top-level ones and those taking part
    in a restriction onto a class."""
    for t in classes.values():
        if t.subclasses and any(s.name in classes for s in t.subclasses):
            main.add(t.name)
        if not _enl_supers(t, classes):
            main.add(t.name)
        for r in t.restrictions:
            if r.filler.curie.startswith("xsd:"):
                continue
            main.add(t.name)
            if r.filler.name:
                main.add(r.filler.name)


def _add_ancestors(classes: dict[str, Term], main: set[str]) -> None:
    """The ancestors of main classes are main too."""
    todo = list(main)
    while todo:
        for s in _enl_supers(classes[todo.pop()], classes):
            if s not in main:
                main.add(s)
                todo.append(s)


def _box(
    t: Term, classes: dict[str, Term], props: list[Term], main: set[str], href_prefix: str
) -> Node:
    """The box of main class ``t``: its external superclasses, its datatype properties and
    restrictions, and the subclasses not drawn (its kinds)."""
    name = t.name
    n = Node(name, name, t.module, href_prefix + name)
    n.stereotypes = [f"«{r.curie}»" for r in t.superclasses if r.name is None]
    for p in props:
        if name in [m.name for r in p.domain for m in r.named]:
            if p.kind == "datatype property":
                n.attributes.append(f"{p.name} : {', '.join(short(r) for r in p.range)}")
            elif p.kind == "object property" and any(r.curie == "owl:Class" for r in p.range):
                n.attributes.append(f"{p.name} : owl:Class")
    for r in t.restrictions:
        if r.filler.curie.startswith("xsd:"):
            n.attributes.append(f"{r.on_property.curie} : {short(r.filler)}")
    hidden = sorted(s.name for s in t.subclasses if s.name in classes and s.name not in main)
    if hidden:
        n.kinds = wrap(hidden, MAX_BOX - 2 * PAD, TEXT_PX, "kinds:")
    return n


def _class_edges(classes: dict[str, Term], main: set[str]) -> list[Edge]:
    """The subclass edges between main classes, and their restrictions onto classes (one
    edge per property and filler, ``1..*`` when ``owl:someValuesFrom`` holds)."""
    edges = []
    for t in classes.values():
        if t.name not in main:
            continue
        for s in _enl_supers(t, classes):
            edges.append(Edge(s, t.name, "subclass"))
        restr: dict[tuple[str, str], set[str]] = defaultdict(set)
        for r in t.restrictions:
            if not r.filler.curie.startswith("xsd:"):
                restr[(r.on_property.curie, r.filler.name or r.filler.curie)].add(r.kind)
        for (prop, filler), kinds in sorted(restr.items()):
            label = prop + (" 1..*" if "some" in kinds else "")
            edges.append(Edge(t.name, filler, "restriction", label))
    return edges


def _external_boxes(
    classes: dict[str, Term], nodes: dict[str, Node], edges: list[Edge]
) -> list[Edge]:
    """Give the external classes that are the range of a drawn edge a (dashed) box; return
    the subclass edges to those of them that are superclasses of a drawn class, whose
    stereotype the edge replaces."""
    for e in edges:
        if e.target not in nodes:
            nodes[e.target] = Node(e.target, e.target, "external", "", external=True)
    supers = []
    for t in classes.values():
        if t.name in nodes:
            for r in t.superclasses:
                if r.name is None and r.curie in nodes:
                    supers.append(Edge(r.curie, t.name, "subclass"))
                    nodes[t.name].stereotypes.remove(f"«{r.curie}»")
    return supers


def _merge_parallel(edges: list[Edge]) -> list[Edge]:
    """Parallel edges become one, with the labels joined; sorted by their ends and kind."""
    merged: dict[tuple[str, str, str], Edge] = {}
    for e in edges:
        key = (e.source, e.target, e.kind)
        if key in merged:
            if e.label and e.label not in merged[key].label.split(", "):
                merged[key].label += ", " + e.label
        else:
            merged[key] = e
    return sorted(merged.values(), key=lambda e: (e.source, e.target, e.kind))


def _inline_code_lists(nodes: dict[str, Node], edge_list: list[Edge]) -> None:
    """A code list (a SKOS concept class) that only one property points to, and that has
    nothing of its own to show, is written as that property's type in the domain's box."""
    for k in sorted(nodes):
        n = nodes[k]
        touching = [e for e in edge_list if k in (e.source, e.target)]
        if (
            n.external
            or n.attributes
            or n.kinds
            or n.stereotypes != ["«skos:Concept»"]
            or len(touching) != 1
            or touching[0].kind != "property"
            or touching[0].target != k
        ):
            continue
        e = touching[0]
        nodes[e.source].attributes.append(f"{e.label} : {k}")
        edge_list.remove(e)
        del nodes[k]


def _size(n: Node) -> None:
    """The box's width and height from its lines of text."""
    lines = [n.title] + n.stereotypes + n.attributes + n.kinds
    widths = [text_width(n.title, TITLE_PX)] + [text_width(s, TEXT_PX) for s in lines[1:]]
    n.w = round(max(110.0, max(widths) + 2 * PAD), 1)
    n.h = LINE + 8 + (LINE * (len(lines) - 1) + 6 if len(lines) > 1 else 0)


def assign_ranks(nodes: dict[str, Node], edges: list[Edge]) -> None:
    """Longest-path layering; an edge's lower end one layer or more below its upper end.
    A cycle (none today) is broken by ignoring the edge that closes it."""
    out: dict[str, list[str]] = defaultdict(list)
    for e in edges:
        out[e.source].append(e.target)
    order: list[str] = []
    state: dict[str, int] = {}

    def visit(k: str) -> None:
        state[k] = 1
        for t in sorted(out[k]):
            if state.get(t, 0) == 0:
                visit(t)
        state[k] = 2
        order.append(k)

    for k in sorted(nodes):
        if state.get(k, 0) == 0:
            visit(k)
    rank = dict.fromkeys(nodes, 0)
    position = {k: i for i, k in enumerate(reversed(order))}
    for k in reversed(order):
        for t in out[k]:
            if position[t] > position[k]:
                rank[t] = max(rank[t], rank[k] + 1)
    balance(nodes, rank, {k: [t for t in out[k] if position[t] > position[k]] for k in nodes})
    # boxes with no edge at all go to the bottom row
    linked = {e.source for e in edges} | {e.target for e in edges}
    bottom = max(rank.values(), default=0) + 1
    for k in nodes:
        nodes[k].rank = rank[k] if k in linked else bottom


def balance(nodes: dict[str, Node], rank: dict[str, int], succ: dict[str, list[str]]) -> None:
    """Narrow the widest layers: move a box (and whatever must follow it) one layer down
    while that makes the widest layer narrower. Deterministic: ties go by name."""

    def widths(rk: dict[str, int]) -> dict[int, float]:
        w: dict[int, float] = defaultdict(float)
        for k, r in rk.items():
            w[r] += nodes[k].w + GAP_X
        return w

    for _ in range(200):
        w = widths(rank)
        worst = max(w.values())
        if worst <= MAX_WIDTH:
            return
        layer = max(w, key=lambda r: (w[r], -r))
        best = None
        for k in sorted(k for k in rank if rank[k] == layer):
            moved, todo = {k: rank[k] + 1}, [k]
            while todo:
                m = todo.pop()
                for s in succ[m]:
                    if rank.get(s, 0) <= moved[m] and moved.get(s, rank[s]) <= moved[m]:
                        moved[s] = moved[m] + 1
                        todo.append(s)
            trial = {**rank, **moved}
            tw = widths(trial)
            score = (max(tw.values()), len(moved), k)
            if max(tw.values()) < worst and (best is None or score < best[0]):
                best = (score, moved)
        if best is None:
            return
        rank.update(best[1])


def place(nodes: dict[str, Node], edges: list[Edge]) -> tuple[float, float]:
    """Dummies, ordering, coordinates; returns the drawing's width and height."""
    _add_dummies(nodes, edges)
    layers = _layers(nodes)
    up, down = _neighbours(edges)
    ranks = sorted(layers)
    _order_layers(layers, ranks, up, down)
    _pack_x(nodes, layers, ranks)
    _pull_x(nodes, layers, ranks, up, down)
    return _place_y(nodes, layers, ranks)


def _add_dummies(nodes: dict[str, Node], edges: list[Edge]) -> None:
    """A dummy node on every layer a long edge crosses; each edge's chain of node keys."""
    for e in edges:
        a, b = nodes[e.source], nodes[e.target]
        e.chain = [a.key]
        for r in range(a.rank + 1, b.rank):
            key = f"~{e.source}>{e.target}>{e.kind}>{r}"
            nodes[key] = Node(key, "", "", "", dummy=True, w=DUMMY_W, h=0.0, rank=r)
            e.chain.append(key)
        e.chain.append(b.key)


def _layers(nodes: dict[str, Node]) -> dict[int, list[str]]:
    """The node keys of each rank, in the initial order: boxes before dummies, by module."""
    layers: dict[int, list[str]] = defaultdict(list)
    for k in sorted(
        nodes, key=lambda k: (nodes[k].dummy, MODULE_ORDER.get(nodes[k].module, 99), k)
    ):
        layers[nodes[k].rank].append(k)
    return layers


def _neighbours(edges: list[Edge]) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """The neighbours of each node along the edge chains: above it, and below it."""
    up: dict[str, list[str]] = defaultdict(list)
    down: dict[str, list[str]] = defaultdict(list)
    for e in edges:
        for a, b in zip(e.chain, e.chain[1:], strict=False):
            down[a].append(b)
            up[b].append(a)
    return up, down


def _order_layers(
    layers: dict[int, list[str]],
    ranks: list[int],
    up: dict[str, list[str]],
    down: dict[str, list[str]],
) -> None:
    """Barycentre ordering: sweeps down then up, six times."""

    def sweep(neigh: dict[str, list[str]], seq: list[int]) -> None:
        for r in seq:
            pos = {k: i for rr in ranks for i, k in enumerate(layers[rr])}

            def bary(k: str, pos=pos) -> float:
                ns = neigh[k]
                return sum(pos[n] for n in ns) / len(ns) if ns else pos[k]

            layers[r].sort(key=lambda k: (bary(k), pos[k]))

    for _ in range(6):
        sweep(up, ranks[1:])
        sweep(down, list(reversed(ranks[:-1])))


def _gap(n: Node) -> float:
    """The space after a node in its layer."""
    return GAP_X if not n.dummy else GAP_X / 2


def _pack_x(nodes: dict[str, Node], layers: dict[int, list[str]], ranks: list[int]) -> None:
    """Each layer packed from x = 0, in its order."""
    for r in ranks:
        x = 0.0
        for k in layers[r]:
            nodes[k].x = x
            x += nodes[k].w + _gap(nodes[k])


def _pull_x(
    nodes: dict[str, Node],
    layers: dict[int, list[str]],
    ranks: list[int],
    up: dict[str, list[str]],
    down: dict[str, list[str]],
) -> None:
    """Pull x positions towards the neighbours (keeping order and gaps), a few rounds."""
    for it in range(12):
        seq = ranks if it % 2 == 0 else list(reversed(ranks))
        for r in seq:
            ks = layers[r]
            want = []
            for k in ks:
                ns = up[k] + down[k]
                target = (sum(nodes[n].cx for n in ns) / len(ns)) if ns else nodes[k].cx
                want.append(target - nodes[k].w / 2)
            _align_layer([nodes[k] for k in ks], want)


def _align_layer(row: list[Node], want: list[float]) -> None:
    """Move the nodes of one layer towards their wanted x: left-to-right and right-to-left
    passes that respect order, averaged, then any overlap the averaging left repaired."""
    left: list[float] = []
    for i in range(len(row)):
        lo = left[-1] + row[i - 1].w + _gap(row[i - 1]) if i else -1e9
        left.append(max(want[i], lo))
    right = [0.0] * len(row)
    for i in range(len(row) - 1, -1, -1):
        hi = right[i + 1] - row[i].w - _gap(row[i]) if i < len(row) - 1 else 1e9
        right[i] = min(want[i], hi)
    for i, n in enumerate(row):
        n.x = (left[i] + right[i]) / 2
    for i in range(1, len(row)):
        lo = row[i - 1].x + row[i - 1].w + _gap(row[i - 1])
        row[i].x = max(row[i].x, lo)


def _place_y(
    nodes: dict[str, Node], layers: dict[int, list[str]], ranks: list[int]
) -> tuple[float, float]:
    """Shift x to the margin, give each layer its y (dummies span their layer's height);
    returns the drawing's width and height."""
    min_x = min(n.x for n in nodes.values())
    top = MARGIN + 54.0  # room for the legend
    y = top
    for r in ranks:
        height = max((nodes[k].h for k in layers[r]), default=0.0)
        for k in layers[r]:
            nodes[k].x = round(nodes[k].x - min_x + MARGIN, 1)
            nodes[k].y = round(y, 1)
            if nodes[k].dummy:
                nodes[k].h = height
        y += height + GAP_Y
    width = max(n.x + n.w for n in nodes.values()) + MARGIN
    return round(width, 1), round(y - GAP_Y + MARGIN + 30.0, 1)


MODULE_ORDER = {m.key: i for i, m in enumerate(MODULES)}


def route(nodes: dict[str, Node], edges: list[Edge]) -> None:
    """Points of each edge: out of the bottom of its upper box, into the top of its lower box,
    through its dummies; ports spread along the box sides in the order of the other ends."""
    outs: dict[str, list[Edge]] = defaultdict(list)
    ins: dict[str, list[Edge]] = defaultdict(list)
    for e in edges:
        outs[e.chain[0]].append(e)
        ins[e.chain[-1]].append(e)

    def ports(node: Node, es: list[Edge], other) -> dict[int, float]:
        es = sorted(es, key=lambda e: (nodes[other(e)].cx, e.label))
        step = node.w / (len(es) + 1)
        return {id(e): node.x + step * (i + 1) for i, e in enumerate(es)}

    out_x: dict[int, float] = {}
    in_x: dict[int, float] = {}
    for k, es in outs.items():
        out_x.update(ports(nodes[k], es, lambda e: e.chain[1]))
    for k, es in ins.items():
        in_x.update(ports(nodes[k], es, lambda e: e.chain[-2]))
    for e in edges:
        a, b = nodes[e.chain[0]], nodes[e.chain[-1]]
        pts = [(out_x[id(e)], a.y + a.h)]
        for d in e.chain[1:-1]:
            n = nodes[d]
            pts += [(n.cx, n.y), (n.cx, n.y + n.h)]
        pts.append((in_x[id(e)], b.y))
        e.points = [(round(x, 1), round(y, 1)) for x, y in pts]


def place_labels(nodes: dict[str, Node], edges: list[Edge]) -> None:
    """Each label on its edge, as near its lower end as it overlaps no box and no earlier
    label (greedy)."""
    taken = [(n.x, n.y, n.x + n.w, n.y + n.h) for n in nodes.values() if not n.dummy]

    def free(r) -> bool:
        return all(r[2] < t[0] or r[0] > t[2] or r[3] < t[1] or r[1] > t[3] for t in taken)

    for e in sorted(edges, key=lambda e: (e.points[0][1], e.points[0][0], e.label)):
        if not e.label:
            continue
        w, h = text_width(e.label, LABEL_PX) + 4, LABEL_PX + 3
        # nearest the arrowhead first (a label there reads as "-> range, via property"),
        # then further back along the edge
        segs = list(zip(e.points, e.points[1:], strict=False))[::-1]
        options = []
        for (x0, y0), (x1, y1) in segs:
            for f in (0.5, 0.32, 0.68, 0.2, 0.8):
                options.append((x0 + (x1 - x0) * f, y0 + (y1 - y0) * f))
        best = options[0]
        for cx, cy in options:
            r = (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
            if free(r):
                best = (cx, cy)
                break
        cx, cy = best
        taken.append((cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2))
        e.label_at = (round(cx, 1), round(cy, 1))


def layout(doc: OntologyDoc, *, href_prefix: str = NS) -> Diagram:
    nodes, edges, not_drawn = model(doc, href_prefix=href_prefix)
    assign_ranks(nodes, edges)
    width, height = place(nodes, edges)
    route(nodes, edges)
    place_labels(nodes, edges)
    return Diagram(
        width,
        height,
        tuple(nodes[k] for k in sorted(nodes)),
        tuple(edges),
        doc.version,
        tuple(not_drawn),
    )
