#!/usr/bin/env python3
"""Reads a logdir the way TensorBoard does and prints a JSON report; with an expectation
JSON, exits 1 on any mismatch.

Three passes, all with TensorBoard's own code (venv with only `pip install tensorboard`):
  strict       every event file through tensorboard.compat.tensorflow_stub's
               PyRecordReader_New (both CRCs) and event_pb2; any DataLossError or
               undecodable record is reported (TensorBoard itself stops reading silently).
  accumulator  the legacy EventAccumulator: Tags, Scalars, Histograms, Graph, RunMetadata.
  web          what the web UI serves: plugin_event_multiplexer + MultiplexerDataProvider
               through the scalars, histograms and graphs plugins (the graph goes through
               process_graph.prepare_graph_for_ui, as the Graphs tab's route does).

Usage:
  check_events.py LOGDIR [--expect EXPECT.json]

EXPECT.json: {"runs": {"<run>": {...}}} where "<run>" is the directory relative to LOGDIR
("." for LOGDIR itself) and each entry may hold
  "records": N                      records in the run's files (strict pass)
  "file_version": "brain.Event:2"   first record of every file
  "scalars": {"tag": {"count": N, "first_step": S, "last_step": S, "last_value": V}}
  "histograms": {"tag": {"count": N, "last_num": N}}
  "graph": {"nodes": N, "contains": ["node/name", ...], "ops": {"node": "Op"}}
  "run_metadata": ["tag", ...]
Scalars, histograms and the graph are checked in both the accumulator and the web pass.
"""
import argparse
import json
import math
import os
import sys

from tensorboard import context as tb_context
from tensorboard.backend.event_processing import data_provider as tb_data_provider
from tensorboard.backend.event_processing import event_accumulator as ea
from tensorboard.backend.event_processing import io_wrapper
from tensorboard.backend.event_processing import plugin_event_multiplexer as pem
from tensorboard.compat.proto import event_pb2, graph_pb2
from tensorboard.compat.tensorflow_stub import errors as tb_errors
from tensorboard.compat.tensorflow_stub.pywrap_tensorflow import PyRecordReader_New
from tensorboard.plugins import base_plugin
from tensorboard.plugins.graph import graphs_plugin
from tensorboard.plugins.histogram import histograms_plugin
from tensorboard.plugins.scalar import scalars_plugin
from google.protobuf import text_format

EXPERIMENT = ""
ALL = 10**9  # no downsampling: every point counts


def run_dirs(logdir):
    """Directories holding event files (one run each), as TensorBoard discovers them."""
    out = {}
    for d in io_wrapper.GetLogdirSubdirectories(logdir):
        out[os.path.relpath(d, logdir)] = d
    return out


def strict_pass(run_dir):
    files = sorted(f for f in os.listdir(run_dir) if io_wrapper.IsSummaryEventsFile(os.path.join(run_dir, f)))
    report = {"files": [], "records": 0, "errors": [], "kinds": {}}
    for f in files:
        path = os.path.join(run_dir, f)
        reader = PyRecordReader_New(path)
        n = 0
        first = None
        while True:
            try:
                reader.GetNext()
            except tb_errors.OutOfRangeError:
                break
            except tb_errors.DataLossError as e:
                report["errors"].append("%s: record %d: %s" % (f, n, e.message))
                break
            try:
                ev = event_pb2.Event.FromString(reader.record())
            except Exception as e:  # DecodeError
                report["errors"].append("%s: record %d is not an Event: %s" % (f, n, e))
                break
            if n == 0:
                first = ev.file_version if ev.WhichOneof("what") == "file_version" else None
            kind = ev.WhichOneof("what") or "none"
            report["kinds"][kind] = report["kinds"].get(kind, 0) + 1
            n += 1
        report["files"].append({"name": f, "records": n, "file_version": first})
        report["records"] += n
    return report


def accumulator_pass(run_dir):
    acc = ea.EventAccumulator(
        run_dir,
        size_guidance={ea.SCALARS: 0, ea.HISTOGRAMS: 0, ea.COMPRESSED_HISTOGRAMS: 0, ea.IMAGES: 0, ea.AUDIO: 0, ea.TENSORS: 0},
    )
    acc.Reload()
    tags = acc.Tags()
    out = {"tags": {k: (sorted(v) if isinstance(v, list) else v) for k, v in tags.items()}, "scalars": {}, "histograms": {}, "graph": None}
    for tag in tags.get(ea.SCALARS, []):
        evs = acc.Scalars(tag)
        out["scalars"][tag] = series([(e.step, e.value) for e in evs])
    for tag in tags.get(ea.HISTOGRAMS, []):
        evs = acc.Histograms(tag)
        out["histograms"][tag] = {"count": len(evs), "last_step": evs[-1].step, "last_num": evs[-1].histogram_value.num}
    if tags.get(ea.GRAPH):
        out["graph"] = graph_summary(acc.Graph())
    out["run_metadata"] = sorted(tags.get(ea.RUN_METADATA, []))
    for tag in out["run_metadata"]:
        acc.RunMetadata(tag)  # must parse
    return out


def web_pass(logdir):
    mux = pem.EventMultiplexer(tensor_size_guidance={"scalars": 0, "histograms": 0, "graphs": 0})
    mux.AddRunsFromDirectory(logdir)
    mux.Reload()
    provider = tb_data_provider.MultiplexerDataProvider(mux, logdir)
    tbctx = base_plugin.TBContext(data_provider=provider, logdir=logdir, multiplexer=mux, sampling_hints={"scalars": ALL, "histograms": ALL})
    ctx = tb_context.RequestContext()
    scalars = scalars_plugin.ScalarsPlugin(tbctx)
    histos = histograms_plugin.HistogramsPlugin(tbctx)
    graphs = graphs_plugin.GraphsPlugin(tbctx)
    out = {}
    for run, tags in scalars.index_impl(ctx, experiment=EXPERIMENT).items():
        r = out.setdefault(run, {"scalars": {}, "histograms": {}, "graph": None, "run_metadata": []})
        for tag in tags:
            body, _ = scalars.scalars_impl(ctx, tag, run, EXPERIMENT, scalars_plugin.OutputFormat.JSON)
            r["scalars"][tag] = series([(step, value) for (_, step, value) in body])
    for run, tags in histos.index_impl(ctx, experiment=EXPERIMENT).items():
        r = out.setdefault(run, {"scalars": {}, "histograms": {}, "graph": None, "run_metadata": []})
        for tag in tags:
            body, _ = histos.histograms_impl(ctx, tag, run, EXPERIMENT, downsample_to=ALL)
            # Each event: [wall_time, step, [[left, right, count], ...]].
            last = body[-1]
            r["histograms"][tag] = {"count": len(body), "last_step": last[1], "last_num": sum(b[2] for b in last[2])}
    for run, info in graphs.info_impl(ctx, experiment=EXPERIMENT).items():
        r = out.setdefault(run, {"scalars": {}, "histograms": {}, "graph": None, "run_metadata": []})
        if info["run_graph"]:
            body, _ = graphs.graph_impl(ctx, run, None, False, experiment=EXPERIMENT, limit_attr_size=1024, large_attrs_key="_too_large_attrs")
            r["graph"] = graph_summary(text_format.Parse(body, graph_pb2.GraphDef()))
        r["run_metadata"] = sorted(t for t, item in info["tags"].items() if item.get("profile"))
        for tag in r["run_metadata"]:
            graphs.run_metadata_impl(ctx, EXPERIMENT, run, tag)  # must parse
    return out


def series(points):
    if not points:
        return {"count": 0}
    return {
        "count": len(points),
        "first_step": points[0][0],
        "last_step": points[-1][0],
        "last_value": points[-1][1],
        "steps_increasing": all(a[0] < b[0] for a, b in zip(points, points[1:])),
    }


def graph_summary(g):
    return {
        "nodes": len(g.node),
        "names": [n.name for n in g.node],
        "ops": {n.name: n.op for n in g.node},
        "producer": g.versions.producer,
    }


# ---------- expectations ----------


def check(report, expect):
    problems = []

    def bad(where, msg):
        problems.append("%s: %s" % (where, msg))

    for run, exp in expect.get("runs", {}).items():
        r = report["runs"].get(run)
        if r is None:
            bad(run, "run not found (runs: %s)" % sorted(report["runs"]))
            continue
        strict = r["strict"]
        if strict["errors"]:
            bad(run, "strict pass: %s" % strict["errors"])
        if "records" in exp and strict["records"] != exp["records"]:
            bad(run, "records: expected %d, got %d" % (exp["records"], strict["records"]))
        if "file_version" in exp:
            for f in strict["files"]:
                if f["file_version"] != exp["file_version"]:
                    bad(run, "%s file_version: expected %r, got %r" % (f["name"], exp["file_version"], f["file_version"]))
        for path in ("accumulator", "web"):
            got = r.get(path) or {}
            where = "%s [%s]" % (run, path)
            for tag, e in exp.get("scalars", {}).items():
                s = got.get("scalars", {}).get(tag)
                if s is None:
                    bad(where, "scalar tag %r missing (have %s)" % (tag, sorted(got.get("scalars", {}))))
                    continue
                for k, v in e.items():
                    if k == "last_value":
                        if not math.isclose(s.get(k, float("nan")), v, rel_tol=1e-6, abs_tol=1e-7):
                            bad(where, "scalar %r %s: expected %r, got %r" % (tag, k, v, s.get(k)))
                    elif s.get(k) != v:
                        bad(where, "scalar %r %s: expected %r, got %r" % (tag, k, v, s.get(k)))
            for tag, e in exp.get("histograms", {}).items():
                h = got.get("histograms", {}).get(tag)
                if h is None:
                    bad(where, "histogram tag %r missing (have %s)" % (tag, sorted(got.get("histograms", {}))))
                    continue
                for k, v in e.items():
                    if h.get(k) != v:
                        bad(where, "histogram %r %s: expected %r, got %r" % (tag, k, v, h.get(k)))
            if "graph" in exp:
                g = got.get("graph")
                if g is None:
                    bad(where, "no graph")
                else:
                    e = exp["graph"]
                    if "nodes" in e and g["nodes"] != e["nodes"]:
                        bad(where, "graph nodes: expected %d, got %d" % (e["nodes"], g["nodes"]))
                    for name in e.get("contains", []):
                        if name not in g["names"]:
                            bad(where, "graph has no node %r" % name)
                    for name, op in e.get("ops", {}).items():
                        if g["ops"].get(name) != op:
                            bad(where, "graph node %r: expected op %r, got %r" % (name, op, g["ops"].get(name)))
            if "run_metadata" in exp and sorted(got.get("run_metadata", [])) != sorted(exp["run_metadata"]):
                bad(where, "run metadata tags: expected %s, got %s" % (sorted(exp["run_metadata"]), got.get("run_metadata")))
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("logdir")
    ap.add_argument("--expect", help="expectation JSON; exit 1 on any mismatch")
    args = ap.parse_args()
    logdir = os.path.abspath(args.logdir)
    if not os.path.isdir(logdir):
        print("check_events: no such directory: %s" % logdir, file=sys.stderr)
        return 2
    web = web_pass(logdir)
    report = {"logdir": logdir, "runs": {}}
    for run, d in sorted(run_dirs(logdir).items()):
        entry = {"strict": strict_pass(d), "accumulator": accumulator_pass(d), "web": web.get(run)}
        report["runs"][run] = entry
    # Node names make the report long: keep counts in the printed report.
    printable = json.loads(json.dumps(report))
    for r in printable["runs"].values():
        for p in ("accumulator", "web"):
            g = (r.get(p) or {}).get("graph")
            if g:
                g.pop("names", None)
                g["ops"] = len(g["ops"])
    problems = []
    if args.expect:
        with open(args.expect) as f:
            problems = check(report, json.load(f))
        printable["problems"] = problems
    print(json.dumps(printable, indent=1, sort_keys=True))
    if problems:
        print("check_events: %d mismatch(es):\n  %s" % (len(problems), "\n  ".join(problems)), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
