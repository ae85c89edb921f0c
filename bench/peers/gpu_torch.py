"""PyTorch (CUDA, eager) peer of bench/gpu_driver.cc: the models of torch_train.py on the GPU.

Timed as the driver times tensorgraph: 4 pre-built host batches rotated over, each step copies
its batch to the GPU (tensorgraph feeds host tensors too), `warmup` steps, then steps for
`seconds` of wall time (or exactly --steps). --sync end (default): only the last step fetches
the loss (loss.item()), then torch.cuda.synchronize stops the clock; --sync every: each step
fetches it. TF32 is off, as in tensorgraph.
  python3 gpu_torch.py [--configs mlp-50,mlp-128,mlp-1024,cnn-64] [--seconds S | --steps N]
                       [--warmup W] [--sync every|end] [--cudnn-benchmark] [--threads T] [--device gpu|cpu]
Prints one JSON line per config.
"""
import argparse
import json
import os
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
try:
    from common import make_batches  # the CPU peers' synthetic batches (needs numpy)
except ImportError:
    make_batches = None

CONFIGS = {"mlp-50": ("mlp", 50), "mlp-128": ("mlp", 128), "mlp-1024": ("mlp", 1024), "cnn-64": ("cnn", 64)}


from torch_models import CNN, MLP  # noqa: E402  (torch only: no numpy needed)


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--configs", default=",".join(CONFIGS))
    p.add_argument("--device", choices=["gpu", "cpu"], default="gpu", help="cpu: a sanity run without CUDA")
    p.add_argument("--seconds", type=float, default=3.0)
    p.add_argument("--steps", type=int, default=0, help="> 0: exactly this many timed steps")
    p.add_argument("--warmup", type=int, default=None, help="warm-up steps (default: 20 for mlp, 10 for cnn)")
    p.add_argument("--sync", choices=["every", "end"], default="end")
    p.add_argument("--cudnn-benchmark", action="store_true", help="let cuDNN time its conv algorithms")
    p.add_argument("--threads", type=int, default=0, help="CPU threads (0: PyTorch's default)")
    return p.parse_args()


def run_config(a, name):
    kind, batch = CONFIGS[name]
    warmup = a.warmup if a.warmup is not None else (20 if kind == "mlp" else 10)
    dev = torch.device("cuda:0" if a.device == "gpu" else "cpu")
    sync = torch.cuda.synchronize if a.device == "gpu" else (lambda: None)
    torch.manual_seed(42)
    model = (MLP() if kind == "mlp" else CNN()).to(dev)
    opt = (torch.optim.SGD(model.parameters(), lr=0.01) if kind == "mlp"
           else torch.optim.Adam(model.parameters(), lr=1e-3))
    model.train()
    if make_batches is not None:
        xs_np, ys_np = make_batches(batch)
        xs = [torch.from_numpy(x) for x in xs_np]  # host memory, copied to the GPU each step
        ys = [torch.from_numpy(y).long() for y in ys_np]  # cross_entropy takes int64 class indices
    else:  # no numpy: the same distributions from torch's generator
        g = torch.Generator().manual_seed(42)
        xs = [torch.rand(batch, 784, generator=g) for _ in range(4)]
        ys = [torch.randint(0, 10, (batch,), generator=g) for _ in range(4)]
    n_batches = len(xs)

    def loss_of(i):
        x = xs[i % n_batches].to(dev)
        y = ys[i % n_batches].to(dev)
        return F.cross_entropy(model(x), y)

    def step(i, fetch_loss=False):
        opt.zero_grad(set_to_none=True)
        loss = loss_of(i)
        loss.backward()
        opt.step()
        if fetch_loss or a.sync == "every":
            loss.item()

    with torch.no_grad():
        loss_start = loss_of(0).item()
    for i in range(warmup):
        step(i)
    sync()
    n = 0
    start = time.perf_counter()
    while a.steps != 1:
        step(n)
        n += 1
        if (n >= a.steps - 1) if a.steps > 0 else (time.perf_counter() - start >= a.seconds):
            break
    step(n, fetch_loss=True)  # as the driver: the last step fetches the loss (waits for the GPU)
    n += 1
    sync()
    elapsed = time.perf_counter() - start
    with torch.no_grad():
        loss_end = loss_of(0).item()
    return {"config": name, "framework": "torch", "device": a.device, "batch": batch, "sync": a.sync,
            "warmup": warmup, "steps": n, "seconds": round(elapsed, 4), "steps_per_s": n / elapsed,
            "ms_per_step": 1000 * elapsed / n, "loss_start": loss_start, "loss_end": loss_end}


def main():
    a = parse_args()
    if a.device == "gpu" and not torch.cuda.is_available():
        print(json.dumps({"framework": "torch", "error": "torch.cuda.is_available() is False"}), flush=True)
        return 1
    # Full float32 everywhere: tensorgraph never uses TF32.
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cudnn.benchmark = a.cudnn_benchmark  # off: cuDNN's heuristic choice of algorithm
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    failures = 0
    for name in a.configs.split(","):
        try:
            line = run_config(a, name)
        except Exception as e:  # one failing config must not hide the others' numbers
            failures += 1
            line = {"config": name, "framework": "torch", "device": a.device, "error": f"{type(e).__name__}: {e}"}
        print(json.dumps(line), flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
