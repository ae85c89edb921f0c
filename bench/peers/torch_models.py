"""The PyTorch peers' models (torch_train.py on the CPU, gpu_torch.py on CUDA): the layers
of bench/models.ts. Imports torch only (a GPU machine may lack numpy)."""
import torch.nn as nn
import torch.nn.functional as F


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
