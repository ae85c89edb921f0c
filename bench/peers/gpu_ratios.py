#!/usr/bin/env python3
"""The ratio table of tools/gpu-check.sh: tensorgraph vs PyTorch on CUDA, from the JSON lines
of tg_gpu_driver and gpu_torch.py in OUT (python3 is on the GPU machine; Node is not)."""
import json, os, sys
out = sys.argv[1]
def load(name):
    rows = {}
    try:
        for line in open(os.path.join(out, name)):
            line = line.strip()
            if line.startswith("{"):
                r = json.loads(line)
                if "config" in r:
                    rows[r["config"]] = r
    except (OSError, ValueError) as e:
        print(f"{name}: {e}")
    return rows
ours, torch, cpu = load("ours_gpu.jsonl"), load("torch_gpu.jsonl"), load("ours_cpu.jsonl")
def rate(r):
    return r.get("steps_per_s") if r else None
def f(x, d=1):
    return "-" if x is None else f"{x:.{d}f}"
hdr = ["config", "ours GPU steps/s", "torch GPU steps/s", "ours/torch", "ours ms/step", "torch ms/step", "ours CPU steps/s", "ours loss start->end", "nodes gpu/cpu"]
rows = []
for c in ["mlp-50", "mlp-128", "mlp-1024", "cnn-64"]:
    o, t, p = ours.get(c), torch.get(c), cpu.get(c)
    ratio = rate(o) / rate(t) if rate(o) and rate(t) else None
    loss = f"{o['loss_start']:.3f}->{o['loss_end']:.3f}" if o and "loss_end" in o else ("error" if o else "-")
    nodes = f"{o['nodes_gpu']}/{o['nodes_cpu']}" if o and "nodes_gpu" in o else "-"
    rows.append([c, f(rate(o)), f(rate(t)), f(ratio, 2), f(o.get("ms_per_step") if o else None, 3),
                 f(t.get("ms_per_step") if t else None, 3), f(rate(p)), loss, nodes])
w = [max(len(str(r[i])) for r in rows + [hdr]) for i in range(len(hdr))]
for r in [hdr] + rows:
    print("  ".join(str(x).ljust(w[i]) for i, x in enumerate(r)))
print("(ratio > 1: tensorgraph is faster; sync at the end of the timed steps; TF32 off in both)")
for name, rows_ in (("ours GPU", ours), ("torch GPU", torch), ("ours CPU", cpu)):
    for c, r in rows_.items():
        if "error" in r:
            print(f"{name} {c}: {r['error']}")
