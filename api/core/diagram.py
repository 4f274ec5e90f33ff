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

The boxes, edges and their positions come from :mod:`.diagram_layout` (a small layered
layout, deterministic, with text widths estimated for a monospace font); this module renders
them as SVG. ``layout`` and the diagram's classes are importable from here too.
"""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from rdflib import Graph

from .diagram_layout import (
    LABEL_PX,
    LINE,
    MARGIN,
    PAD,
    TEXT_PX,
    TITLE_PX,
    Diagram,
    Edge,
    Node,
    layout,
    model,
    text_width,
)
from .ontology_doc import MODULES, NS, document

__all__ = ["Diagram", "Edge", "Node", "layout", "model", "render_svg", "to_svg"]

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
    o = _svg_head(d, title)
    o += _legend(title, d.version)
    o += _edge_paths(d.edges)
    o += _edge_labels(d.edges)
    o += [_box_svg(n) for n in d.nodes if not n.dummy]
    if d.not_drawn:
        o.append(
            f'<text class="dg-n" x="{MARGIN}" y="{round(d.height - MARGIN, 1)}">Not drawn '
            f"(no declared domain): {escape(', '.join(d.not_drawn))}. Every class and "
            "property is on /ontology.</text>"
        )
    o.append("</svg>")
    return "\n".join(o) + "\n"


def _svg_head(d: Diagram, title: str) -> list[str]:
    """The ``<svg>`` start tag, title, description, style, markers and background."""
    w, h = d.width, d.height
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
        f'viewBox="0 0 {w} {h}" role="group" aria-labelledby="dg-title dg-desc">',
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


def _legend(title: str, version: str) -> list[str]:
    """The heading, then a row: each module's colour, then each kind of edge."""
    x = MARGIN
    o = [
        f'<text class="dg-h" x="{x}" y="{MARGIN + 10}">{escape(title)} '
        f"(version {escape(version)})</text>"
    ]
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
    return o


def _edge_paths(edges: tuple[Edge, ...]) -> list[str]:
    """The edges' paths: subclass edges with a hollow triangle at the superclass, the
    others with an arrowhead at their lower end (dashed for restrictions)."""
    o = []
    for e in edges:
        path = curve(e.points)
        if e.kind == "subclass":  # the triangle sits on the superclass, the upper end
            o.append(f'<path class="dg-i" d="{path}" marker-start="url(#dg-tri)"/>')
        else:
            cls = "dg-r" if e.kind == "restriction" else "dg-e"
            o.append(f'<path class="{cls}" d="{path}" marker-end="url(#dg-arrow)"/>')
    return o


def _edge_labels(edges: tuple[Edge, ...]) -> list[str]:
    """The edges' labels, drawn after every path so that no path crosses one."""
    o = []
    for e in edges:
        if e.label and e.label_at:
            lx, ly = e.label_at
            o.append(
                f'<text class="dg-l" x="{lx}" y="{round(ly + LABEL_PX / 3, 1)}" '
                f'text-anchor="middle">{escape(e.label)}</text>'
            )
    return o


def _box_svg(n: Node) -> str:
    """A class's box: frame, header in its module's colour, title and lines of text; a
    link to the term when it has one."""
    box = "dg-ext" if n.external else "dg-box"
    body = [f'<rect class="{box}" x="{n.x}" y="{n.y}" width="{n.w}" height="{n.h}" rx="3"/>']
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
        return f"<a href={quoteattr(n.href)}><title>{escape(n.key)}</title>{group}</a>"
    return f"<g>{group}</g>"


def render_svg(graph: Graph | None = None, *, href_prefix: str = NS) -> str:
    """The diagram of ``graph`` (default: the packaged ontology). Links point at
    ``href_prefix + local name``: the term IRIs, or ``#`` for anchors on the page."""
    if graph is None:
        from .validation import ontology_graph

        graph = ontology_graph()
    return to_svg(layout(document(graph), href_prefix=href_prefix))
