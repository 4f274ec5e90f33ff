"""The hostile documents of issue 17, shared by the security tests."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from contextlib import contextmanager

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


def laughs(levels: int) -> bytes:
    """RDF/XML with the "billion laughs" entities: ``levels`` entities each expanding to ten
    of the one before, one literal holding the last (3 x 10**levels bytes expanded)."""
    decls = ['<!ENTITY l0 "lol">'] + [
        f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, levels + 1)
    ]
    return (
        f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [{"".join(decls)}]>\n'
        f'<rdf:RDF xmlns:rdf="{RDF}" xmlns:ex="http://example.org/">'
        f'<rdf:Description rdf:about="http://example.org/s"><ex:p>&l{levels};</ex:p>'
        "</rdf:Description></rdf:RDF>\n"
    ).encode()


#: the attack of the issue: 1 KB that expands to 3 GB
BILLION_LAUGHS = laughs(9)
#: an external entity naming a local file (XXE)
XXE = (
    '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
    f'<rdf:RDF xmlns:rdf="{RDF}" xmlns:ex="http://example.org/">'
    '<rdf:Description rdf:about="http://example.org/s"><ex:p>&x;</ex:p>'
    "</rdf:Description></rdf:RDF>\n"
).encode()


def nested_jsonld(levels: int) -> bytes:
    """A JSON-LD node with a chain of ``levels`` nested node objects."""
    head = '{"@context": {"p": "http://example.org/p"}, "@id": "http://example.org/n", '
    return (
        head + '"p": {' * levels + '"@id": "http://example.org/x"' + "}" * levels + "}"
    ).encode()


def with_context(context) -> bytes:
    """A one-triple JSON-LD document with ``context`` as its ``@context``."""
    return json.dumps(
        {
            "@context": context,
            "@id": "https://w3id.org/eu-enlargement/id/country/MNE",
            "altLabel": "Crna Gora",
        }
    ).encode()


def context_forms(url: str) -> dict[str, bytes]:
    """The three ways a document refers to a remote context: plain, in an array, @import."""
    inline = {"altLabel": "http://www.w3.org/2004/02/skos/core#altLabel"}
    return {
        "plain": with_context(url),
        "array": with_context([url, inline]),
        "import": with_context({"@import": url, **inline}),
    }


@contextmanager
def silent_server() -> Iterator[str]:
    """A URL on a loopback port that accepts connections and never answers."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(64)
        yield f"http://127.0.0.1:{s.getsockname()[1]}/context.jsonld"
