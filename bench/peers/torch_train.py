"""PyTorch (CPU, eager) peer of bench/train.ts: the same models as nn.Modules.

Images are NCHW for the CNN (PyTorch's native layout); the input batch is reshaped inside the
step like tensorgraph's Reshape of the fed [N, 784] batch.
  python torch_train.py --model mlp|cnn --batch N --threads N [--seconds S]
Prints one JSON line: {"steps_per_s": ...}.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

from common import make_batches, parse_args, report, time_steps


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden1 = nn.Linear(784, 300)
        self.hidden2 = nn.Linear(300, 100)
        self.outputs = nn.Linear(100, 10)

    def forward(self, x):
        return self.outputs(F.relu(self.hidden2(F.relu(self.hidden1(x)))))


class CNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 5, padding=2)  # 'same' for a 5x5 kernel at stride 1
        self.conv2 = nn.Conv2d(32, 64, 5, padding=2)
        self.fc1 = nn.Linear(7 * 7 * 64, 256)
        self.outputs = nn.Linear(256, 10)

    def forward(self, x):
        x = x.view(-1, 1, 28, 28)
        x = F.max_pool2d(F.relu(self.conv1(x)), 2, 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2, 2)
        return self.outputs(F.relu(self.fc1(x.flatten(1))))


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
