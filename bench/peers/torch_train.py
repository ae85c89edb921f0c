"""PyTorch (CPU, eager) peer of bench/train.ts: the same models as nn.Modules.

Images are NCHW for the CNN (PyTorch's native layout); the input batch is reshaped inside the
step like tensorgraph's Reshape of the fed [N, 784] batch.
  python torch_train.py --model mlp|cnn --batch N --threads N [--seconds S]
Prints one JSON line: {"steps_per_s": ...}.
"""
import torch
import torch.nn.functional as F

from common import make_batches, parse_args, report, time_steps
from torch_models import CNN, MLP


def main():
    a = parse_args(__doc__)
    torch.set_num_threads(a.threads)
    torch.set_num_interop_threads(1)  # eager mode runs one op at a time anyway
    torch.manual_seed(42)
    if a.model == "mlp":
        model = MLP()
        opt = torch.optim.SGD(model.parameters(), lr=0.01)
    else:
        model = CNN()
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    model.train()
    xs_np, ys_np = make_batches(a.batch)
    xs = [torch.from_numpy(x) for x in xs_np]
    ys = [torch.from_numpy(y).long() for y in ys_np]  # cross_entropy takes int64 class indices
    n = len(xs)

    def step(i):
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(xs[i % n]), ys[i % n])
        loss.backward()
        opt.step()

    rate = time_steps(step, a.warmup, a.seconds)
    report(rate, version=torch.__version__)


if __name__ == "__main__":
    main()
