"""A diagram of the ontology's main classes and properties, as SVG, generated from the
ontology so that it cannot drift from it.

``enlargement-kg diagram --out docs/ontology-diagram.svg`` writes it (``--check``
exits 1 when the file differs from a fresh generation); ``/ontology`` shows it.

What is drawn (from :mod:`.ontology_doc`): a box per *main* class, that is every class of the
ontology that is top-level, has subclasses, is the domain of a property, the domain or range
of an object property, or takes part in an ``owl:Restriction``, plus the ancestors of these.
The other classes (the leaf kinds of event) are listed in the boxes of their superclasses.
A box shows the class's external superclasses (``«prov:Entity»``), its datatype properties
and datatype restrictions with their datatypes. Edges: ``rdfs:subClassOf`` (hollow
triangle), object properties from domain to range, and restrictions onto a class from
reused vocabularies (dashed, ``1..*`` when ``owl:someValuesFrom`` also holds).

The layout is a small layered (Sugiyama-style) one: longest-path layers (a superclass above
its subclasses, a property's domain above its range), dummy nodes on long edges, barycentre
ordering sweeps, then x positions pulled towards neighbours. Text widths are estimated for a
monospace font, so the output is deterministic and needs no renderer.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

from rdflib import Graph

from .ontology_doc import MODULES, NS, OntologyDoc, Ref, Term, document

#: Header colours of the modules (in :data:`.ontology_doc.MODULES` order).
MODULE_COLOURS = {
    "countries": "#d9ead3",
    "structure": "#cfe2f3",
    "facts": "#fff2cc",
    "assessments": "#ead1dc",
    "security": "#f4cccc",
    "instruments": "#d9d2e9",
    "governance": "#fce5cd",
    "sources": "#d0e0e3",
    "other": "#eeeeee",
    "external": "#ffffff",
}
FONT = "ui-monospace,Menlo,Consolas,'DejaVu Sans Mono',monospace"
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
    """The placed diagram; :func:`to_svg` renders it."""

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

    def enl_supers(t: Term) -> list[str]:
        return [r.name for r in t.superclasses if r.name in classes]

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
    for t in classes.values():
        if t.subclasses and any(s.name in classes for s in t.subclasses):
            main.add(t.name)
        if not enl_supers(t):
            main.add(t.name)
        for r in t.restrictions:
            if r.filler.curie.startswith("xsd:"):
                continue
            main.add(t.name)
            if r.filler.name:
                main.add(r.filler.name)
    # ancestors of main classes are main too
    todo = list(main)
    while todo:
        for s in enl_supers(classes[todo.pop()]):
            if s not in main:
                main.add(s)
                todo.append(s)

    nodes: dict[str, Node] = {}
    for name in sorted(main):
        t = classes[name]
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
        nodes[name] = n
    for t in classes.values():
        if t.name not in main:
            continue
        for s in enl_supers(t):
            edges.append(Edge(s, t.name, "subclass"))
        restr: dict[tuple[str, str], set[str]] = defaultdict(set)
        for r in t.restrictions:
            if not r.filler.curie.startswith("xsd:"):
                restr[(r.on_property.curie, r.filler.name or r.filler.curie)].add(r.kind)
        for (prop, filler), kinds in sorted(restr.items()):
            label = prop + (" 1..*" if "some" in kinds else "")
            edges.append(Edge(t.name, filler, "restriction", label))
    # external classes that are the range of a drawn edge get a (dashed) box
    for e in edges:
        if e.target not in nodes:
            nodes[e.target] = Node(e.target, e.target, "external", "", external=True)
    for t in classes.values():
        if t.name in nodes:
            for r in t.superclasses:
                if r.name is None and r.curie in nodes:
                    edges.append(Edge(r.curie, t.name, "subclass"))
                    nodes[t.name].stereotypes.remove(f"«{r.curie}»")
    # parallel edges become one, with the labels joined
    merged: dict[tuple[str, str, str], Edge] = {}
    for e in edges:
        key = (e.source, e.target, e.kind)
        if key in merged:
            if e.label and e.label not in merged[key].label.split(", "):
                merged[key].label += ", " + e.label
        else:
            merged[key] = e
    # a code list (a SKOS concept class) that only one property points to, and that has
    # nothing of its own to show, is written as that property's type in the domain's box
    edge_list = sorted(merged.values(), key=lambda e: (e.source, e.target, e.kind))
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
    for n in nodes.values():
        lines = [n.title] + n.stereotypes + n.attributes + n.kinds
        widths = [text_width(n.title, TITLE_PX)] + [text_width(s, TEXT_PX) for s in lines[1:]]
        n.w = round(max(110.0, max(widths) + 2 * PAD), 1)
        n.h = LINE + 8 + (LINE * (len(lines) - 1) + 6 if len(lines) > 1 else 0)
    return nodes, edge_list, sorted(not_drawn)


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
    for e in edges:
        a, b = nodes[e.source], nodes[e.target]
        e.chain = [a.key]
        for r in range(a.rank + 1, b.rank):
            key = f"~{e.source}>{e.target}>{e.kind}>{r}"
            nodes[key] = Node(key, "", "", "", dummy=True, w=DUMMY_W, h=0.0, rank=r)
            e.chain.append(key)
        e.chain.append(b.key)
    layers: dict[int, list[str]] = defaultdict(list)
    for k in sorted(
        nodes, key=lambda k: (nodes[k].dummy, MODULE_ORDER.get(nodes[k].module, 99), k)
    ):
        layers[nodes[k].rank].append(k)
    up: dict[str, list[str]] = defaultdict(list)
    down: dict[str, list[str]] = defaultdict(list)
    for e in edges:
        for a, b in zip(e.chain, e.chain[1:], strict=False):
            down[a].append(b)
            up[b].append(a)
    ranks = sorted(layers)

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
    # x: pack, then pull towards neighbours (keeping order and gaps), a few rounds
    for r in ranks:
        x = 0.0
        for k in layers[r]:
            nodes[k].x = x
            x += nodes[k].w + (GAP_X if not nodes[k].dummy else GAP_X / 2)

    def gap(k: str) -> float:
        return GAP_X if not nodes[k].dummy else GAP_X / 2

    for it in range(12):
        seq = ranks if it % 2 == 0 else list(reversed(ranks))
        for r in seq:
            ks = layers[r]
            want = []
            for k in ks:
                ns = up[k] + down[k]
                target = (sum(nodes[n].cx for n in ns) / len(ns)) if ns else nodes[k].cx
                want.append(target - nodes[k].w / 2)
            # left-to-right and right-to-left passes that respect order, then average
            left = []
            for i in range(len(ks)):
                lo = left[-1] + nodes[ks[i - 1]].w + gap(ks[i - 1]) if i else -1e9
                left.append(max(want[i], lo))
            right = [0.0] * len(ks)
            for i in range(len(ks) - 1, -1, -1):
                hi = right[i + 1] - nodes[ks[i]].w - gap(ks[i]) if i < len(ks) - 1 else 1e9
                right[i] = min(want[i], hi)
            for i, k in enumerate(ks):
                nodes[k].x = (left[i] + right[i]) / 2
            for i in range(1, len(ks)):  # repair any overlap the averaging left
                lo = nodes[ks[i - 1]].x + nodes[ks[i - 1]].w + gap(ks[i - 1])
                nodes[ks[i]].x = max(nodes[ks[i]].x, lo)
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


def curve(points: list[tuple[float, float]]) -> str:
    """A smooth path through ``points`` (vertical tangents at every point)."""
    (x0, y0), d = points[0], [f"M{points[0][0]},{points[0][1]}"]
    for x1, y1 in points[1:]:
        if x1 == x0:
            d.append(f"L{x1},{y1}")
        else:
            m = round((y1 - y0) / 2, 1)
            d.append(f"C{x0},{round(y0 + m, 1)} {x1},{round(y1 - m, 1)} {x1},{y1}")
        x0, y0 = x1, y1
    return " ".join(d)


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


CSS = f"""
.dg-box{{fill:#fff;stroke:#445;stroke-width:1}}
.dg-ext{{fill:#fff;stroke:#778;stroke-width:1;stroke-dasharray:4 3}}
.dg-t{{font:bold {TITLE_PX}px {FONT};fill:#111}}
.dg-s{{font:{TEXT_PX}px {FONT};fill:#333}}
.dg-st{{font:italic {TEXT_PX}px {FONT};fill:#666}}
.dg-k{{font:{TEXT_PX}px {FONT};fill:#555}}
.dg-l{{font:{LABEL_PX}px {FONT};fill:#123;paint-order:stroke;stroke:#fff;stroke-width:3px}}
.dg-e{{fill:none;stroke:#2c3e75;stroke-width:1.1}}
.dg-r{{fill:none;stroke:#2c3e75;stroke-width:1.1;stroke-dasharray:5 3}}
.dg-i{{fill:none;stroke:#888;stroke-width:1.1}}
.dg-h{{font:bold 13px {FONT};fill:#111}}
.dg-n{{font:{TEXT_PX}px {FONT};fill:#555}}
"""


def to_svg(
    d: Diagram, *, title: str = "The enlargement ontology: main classes and properties"
) -> str:
    """The SVG document (no XML declaration, so it can also be inlined in HTML)."""
    w, h = d.width, d.height
    o = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
        f'viewBox="0 0 {w} {h}" role="img" aria-labelledby="dg-title dg-desc">',
        f'<title id="dg-title">{escape(title)}</title>',
        f'<desc id="dg-desc">Generated from the enlargement ontology {escape(d.version)} by '
        "enlargement_kg.core.diagram. Boxes are classes (header colour: module); hollow "
        "triangles point to superclasses; arrows go from a property's domain to its range; "
        "dashed arrows are restrictions with reused properties.</desc>",
        f"<style>{CSS}</style>",
        "<defs>",
        '<marker id="dg-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" '
        'markerHeight="8" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" '
        'fill="#2c3e75"/></marker>',
        '<marker id="dg-tri" viewBox="0 0 12 12" refX="12" refY="6" markerWidth="11" '
        'markerHeight="11" orient="auto-start-reverse"><path d="M0,0L12,6L0,12z" '
        'fill="#fff" stroke="#888"/></marker>',
        "</defs>",
        '<rect x="0" y="0" width="100%" height="100%" fill="#fff"/>',
    ]
    # legend
    x = MARGIN
    o.append(
        f'<text class="dg-h" x="{x}" y="{MARGIN + 10}">{escape(title)} '
        f"(version {escape(d.version)})</text>"
    )
    y = MARGIN + 30
    for m in MODULES:
        o.append(
            f'<rect x="{x}" y="{y - 10}" width="12" height="12" '
            f'fill="{MODULE_COLOURS[m.key]}" stroke="#445"/>'
        )
        o.append(f'<text class="dg-s" x="{x + 16}" y="{y}">{escape(m.title)}</text>')
        x += 16 + text_width(m.title, TEXT_PX) + 18
    x += 10
    for cls, marker, text in (
        ("dg-i", "dg-tri", "subclass of"),
        ("dg-e", "dg-arrow", "object property"),
        ("dg-r", "dg-arrow", "restriction (reused property)"),
    ):
        o.append(
            f'<path class="{cls}" d="M{x},{y - 4}L{x + 34},{y - 4}" marker-end="url(#{marker})"/>'
        )
        o.append(f'<text class="dg-s" x="{x + 40}" y="{y}">{escape(text)}</text>')
        x += 40 + text_width(text, TEXT_PX) + 18
    nodes = {n.key: n for n in d.nodes}
    for e in d.edges:
        path = curve(e.points)
        if e.kind == "subclass":  # the triangle sits on the superclass, the upper end
            o.append(f'<path class="dg-i" d="{path}" marker-start="url(#dg-tri)"/>')
        else:
            cls = "dg-r" if e.kind == "restriction" else "dg-e"
            o.append(f'<path class="{cls}" d="{path}" marker-end="url(#dg-arrow)"/>')
    for e in d.edges:
        if e.label and e.label_at:
            lx, ly = e.label_at
            o.append(
                f'<text class="dg-l" x="{lx}" y="{round(ly + LABEL_PX / 3, 1)}" '
                f'text-anchor="middle">{escape(e.label)}</text>'
            )
    for n in d.nodes:
        if n.dummy:
            continue
        body = []
        box = "dg-ext" if n.external else "dg-box"
        body.append(
            f'<rect class="{box}" x="{n.x}" y="{n.y}" width="{n.w}" height="{n.h}" rx="3"/>'
        )
        if not n.external:
            body.append(
                f'<rect x="{n.x + 0.5}" y="{n.y + 0.5}" width="{round(n.w - 1, 1)}" '
                f'height="{LINE + 6}" fill="{MODULE_COLOURS.get(n.module, "#eee")}"/>'
            )
        ty = n.y + LINE + 1
        body.append(
            f'<text class="dg-t" x="{round(n.cx, 1)}" y="{round(ty, 1)}" '
            f'text-anchor="middle">{escape(n.title)}</text>'
        )
        ty += 6
        for cls, lines in (("dg-st", n.stereotypes), ("dg-s", n.attributes), ("dg-k", n.kinds)):
            for line in lines:
                ty += LINE
                body.append(
                    f'<text class="{cls}" x="{round(n.x + PAD, 1)}" '
                    f'y="{round(ty, 1)}" xml:space="preserve">{escape(line)}</text>'
                )
        group = "".join(body)
        if n.href:
            o.append(f"<a href={quoteattr(n.href)}><title>{escape(n.key)}</title>{group}</a>")
        else:
            o.append(f"<g>{group}</g>")
    if d.not_drawn:
        o.append(
            f'<text class="dg-n" x="{MARGIN}" y="{round(h - MARGIN, 1)}">Not drawn '
            f"(no declared domain): {escape(', '.join(d.not_drawn))}. Every class and "
            "property is on /ontology.</text>"
        )
    del nodes
    o.append("</svg>")
    return "\n".join(o) + "\n"


def render_svg(graph: Graph | None = None, *, href_prefix: str = NS) -> str:
    """The diagram of ``graph`` (default: the packaged ontology). Links point at
    ``href_prefix + local name``: the term IRIs, or ``#`` for anchors on the page."""
    if graph is None:
        from .validation import ontology_graph

        graph = ontology_graph()
    return to_svg(layout(document(graph), href_prefix=href_prefix))
