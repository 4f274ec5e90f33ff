"""Helpers shared by the publishing tests (not a conftest: the tests import what they use)."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import SH

from enlargement_kg.core import formats
from enlargement_kg.core.oxigraph_store import OxigraphStore
from enlargement_kg.core.store import Dataset, Store

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
KG_V1 = FIXTURES / "publish" / "kg-v1"
KG_V2 = FIXTURES / "publish" / "kg-v2"
DCAT_AP = FIXTURES / "dcat-ap"
DCAT_AP_SHAPES = ("shapes.ttl", "range.ttl", "mdr-vocabularies.shape.ttl")

Q_GRAPHS = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
Q_ALL = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
Q_COUNTS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"


def named_graphs(store: Store) -> set[str]:
    return {str(r["g"]) for r in store.select(Q_GRAPHS)}


def graph_of(store: Store, graph: str | None) -> Graph:
    """One named graph of a store (or, with None, the union of all) as an rdflib graph."""
    res = store.execute(
        Q_ALL,
        result_format=formats.by_name("json"),
        graph_format=formats.by_name("ntriples"),
        dataset=Dataset(default_graphs=(graph,)) if graph else None,
    )
    g = Graph()
    g.parse(data=res.body.decode("utf-8"), format="nt")
    return g


def fresh_store(body: bytes, fmt: str) -> tuple[OxigraphStore, str | None]:
    """A new embedded store holding a dump; graph syntaxes go into one test graph."""
    if fmt.endswith(".gz"):
        body, fmt = gzip.decompress(body), fmt[:-3]
    store = OxigraphStore.memory()
    f = formats.by_name(fmt)
    graph = None if f.name in ("nquads", "trig") else "urn:x-test:dump"
    store.load_bytes(body, f, graph=graph)
    return store, graph


def assert_isomorphic_per_graph(served: Store, loaded: Store) -> int:
    """Every named graph of ``served`` is isomorphic to the same graph of ``loaded`` (and
    there are no others); returns the number of graphs compared."""
    mine, theirs = named_graphs(served), named_graphs(loaded)
    assert mine == theirs, sorted(mine ^ theirs)
    for g in sorted(mine):
        a, b = graph_of(served, g), graph_of(loaded, g)
        assert len(a) == len(b) and isomorphic(a, b), f"graph {g} differs after the round trip"
    return len(mine)


def dcat_ap_shapes() -> Graph:
    g = Graph()
    for name in DCAT_AP_SHAPES:
        g.parse(DCAT_AP / name, format="turtle")
    return g


@dataclass(frozen=True)
class ShaclOutcome:
    violations: list[str]
    warnings: int
    results: int


def validate_dcat_ap(catalogue: Graph) -> ShaclOutcome:
    """pySHACL with the SEMIC DCAT-AP 3.0.1 shapes; the violations as readable lines."""
    from pyshacl import validate

    _conforms, report, _text = validate(
        catalogue, shacl_graph=dcat_ap_shapes(), advanced=True, allow_warnings=True
    )
    violations, warnings, total = [], 0, 0
    # top-level results only (a warning's sh:detail carries nested results of its own)
    for r in report.objects(None, SH.result):
        total += 1
        sev = report.value(r, SH.resultSeverity)
        if sev == SH.Violation:
            violations.append(
                f"{report.value(r, SH.focusNode)} {report.value(r, SH.resultPath)}"
                f": {report.value(r, SH.resultMessage)}"
            )
        elif sev == SH.Warning:
            warnings += 1
    return ShaclOutcome(violations, warnings, total)


def jsonld_with_context(body: bytes) -> Graph:
    """Parse a JSON-LD document of the service offline: its ``@context`` points to the
    published /context.jsonld, which is the package's own context document."""
    from enlargement_kg.core import jsonld

    doc = json.loads(body)
    assert isinstance(doc["@context"], str) and doc["@context"].endswith("/context.jsonld")
    doc["@context"] = jsonld.context_document().document["@context"]
    g = Graph()
    g.parse(data=json.dumps(doc), format="json-ld")
    return g


# -- Virtuoso on loopback ---------------------------------------------------------------------

VIRTUOSO_INI = """\
[Database]
DatabaseFile = {db}/virtuoso.db
ErrorLogFile = {db}/virtuoso.log
LockFile = {db}/virtuoso.lck
TransactionFile = {db}/virtuoso.trx
xa_persistent_file = {db}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {db}/virtuoso-temp.db
TransactionFile = {db}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
LiteMode = 0
DisableUnixSocket = 1
DisableTcpSocket = 0
ServerThreads = 10
CheckpointInterval = 60
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
DirsAllowed = ., {db}
MaxQueryMem = 200M

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {db}/www
MaxClientConnections = 4
ServerThreads = 4
EnabledDavVSP = 0
HTTPProxyEnabled = 0

[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryCostEstimationTime = 400
MaxQueryExecutionTime = 60
DeferInferenceRulesInit = 0
"""

#: The anonymous SPARQL user may update (a throw-away database on loopback only).
VIRTUOSO_GRANTS = 'GRANT SPARQL_UPDATE TO "SPARQL"; GRANT EXECUTE ON DB.DBA.L_O_LOOK TO "SPARQL";'


class Virtuoso:
    """Virtuoso (Debian's virtuoso-opensource-7-bin) with a temporary database on loopback."""

    def __init__(self, folder: Path, *, sql_port: int, http_port: int):
        self.folder, self.sql_port, self.http_port = folder, sql_port, http_port
        self.url = f"http://127.0.0.1:{http_port}"
        self.sparql = f"{self.url}/sparql"
        self.gsp = f"{self.url}/sparql-graph-crud"
        self.proc: subprocess.Popen | None = None

    @staticmethod
    def missing() -> str | None:
        for binary in ("virtuoso-t", "isql-vt"):
            if shutil.which(binary) is None:
                return f"{binary} is not installed (apt-get install -y virtuoso-opensource-7-bin)"
        return None

    def start(self, timeout: float = 90.0) -> None:
        import requests

        db = self.folder / "db"
        (db / "www").mkdir(parents=True, exist_ok=True)
        ini = self.folder / "virtuoso.ini"
        ini.write_text(VIRTUOSO_INI.format(db=db, sql_port=self.sql_port, http_port=self.http_port))
        log = open(self.folder / "stdout.log", "wb")  # noqa: SIM115 - closed in stop()
        self._log = log
        self.proc = subprocess.Popen(
            ["virtuoso-t", "+configfile", str(ini), "+foreground"],
            cwd=self.folder,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        t0 = time.monotonic()
        while time.monotonic() - t0 < timeout:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"virtuoso exited with {self.proc.returncode}: " + self.log_tail()
                )
            try:
                r = requests.get(
                    self.sparql,
                    params={"query": "SELECT (1 AS ?x) {}"},
                    headers={"Accept": "application/sparql-results+json"},
                    timeout=2,
                )
                if r.status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            time.sleep(0.3)
        else:
            raise TimeoutError(f"virtuoso did not answer within {timeout} s: " + self.log_tail())
        res = subprocess.run(
            ["isql-vt", f"127.0.0.1:{self.sql_port}", "dba", "dba", f"exec={VIRTUOSO_GRANTS}"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        if res.returncode != 0:
            raise RuntimeError(f"isql-vt failed: {res.stdout} {res.stderr}")

    def log_tail(self) -> str:
        p = self.folder / "db" / "virtuoso.log"
        return p.read_text(errors="replace")[-2000:] if p.is_file() else ""

    def counts(self, graphs: list[str] | None = None) -> dict[str, int]:
        """Triples per named graph, by a SPARQL query at the store."""
        import requests

        r = requests.get(
            self.sparql,
            params={"query": Q_COUNTS},
            headers={"Accept": "application/sparql-results+json"},
            timeout=60,
        )
        r.raise_for_status()
        out = {b["g"]["value"]: int(b["n"]["value"]) for b in r.json()["results"]["bindings"]}
        return {g: n for g, n in out.items() if graphs is None or g in graphs}

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        if getattr(self, "_log", None):
            self._log.close()


def source_counts(store: Store) -> dict[str, int]:
    """Triples per named graph of a store (distinct within each graph)."""
    return {
        str(r["g"]): int(r["n"].toPython())
        for r in store.select(Q_COUNTS)
        if isinstance(r.get("g"), URIRef)
    }
