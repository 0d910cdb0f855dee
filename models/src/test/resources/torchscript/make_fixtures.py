"""Makes the tiny TorchScript modules the tests train, fine-tune and score.

Run with Debian's python3-torch (1.13): /usr/bin/python3 make_fixtures.py
The files it writes are committed (a few KB each) so that the JVM tests run on a machine
without Python's torch; the test that compares scores with Python (TorchScriptPythonIT)
needs python3-torch and runs in phase 2.

Each module takes the pipeline's encoded feature matrix [batch, width] (float32) and returns
logits [batch, outputs]: the shape of the built-in MLP (hidden layers 32, 16, ReLU).
"""
import os
import torch
from torch import nn


class TinyMlp(nn.Module):
    def __init__(self, width: int, outputs: int):
        super().__init__()
        self.hidden1 = nn.Linear(width, 32)
        self.hidden2 = nn.Linear(32, 16)
        self.out = nn.Linear(16, outputs)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = torch.relu(self.hidden1(x))
        x = torch.relu(self.hidden2(x))
        return self.out(x)


class TinyLinear(nn.Module):
    def __init__(self, width: int, outputs: int):
        super().__init__()
        self.linear = nn.Linear(width, outputs)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear(x)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    torch.manual_seed(0)
    # scripted: the sample schema with fixed categories is 17 encoded columns wide
    # (4 numeric x 2, plan 3 + 1, region 4 + 1)
    for width, outputs in [(17, 1), (17, 3), (4, 1)]:
        module = torch.jit.script(TinyMlp(width, outputs))
        module.save(os.path.join(here, f"mlp_w{width}_o{outputs}.pt"))
    # traced: the same contract reached by torch.jit.trace
    linear = TinyLinear(17, 1)
    traced = torch.jit.trace(linear, torch.zeros(2, 17))
    traced.save(os.path.join(here, "linear_w17_o1_traced.pt"))


if __name__ == "__main__":
    main()
