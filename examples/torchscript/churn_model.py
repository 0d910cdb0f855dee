"""A PyTorch model for the sample pipeline, exported as TorchScript for retrain.

    /usr/bin/python3 examples/torchscript/churn_model.py var/modules/churn.pt

The module takes what the pipeline's encoder gives: a float32 matrix [batch, 17], the
columns in the order configs/examples/sample-torchscript.yaml implies (each numeric feature
standardised plus a missing indicator, each categorical feature one column per listed
category plus one for any other value), and returns one logit per row for the binary label.
retrain trains it from these weights (a retrain) or from the champion's (a fine-tune) and
stores every version as TorchScript again: torch.jit.load reads the champion back.
"""
import sys

import torch
from torch import nn

# 4 numeric features x 2, plan: 3 categories + 1, region: 4 categories + 1
WIDTH = 17


class ChurnNet(nn.Module):
    def __init__(self, width: int = WIDTH):
        super().__init__()
        self.body = nn.Sequential(
            nn.Linear(width, 32), nn.ReLU(),
            nn.Linear(32, 16), nn.ReLU(),
        )
        self.head = nn.Linear(16, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.body(x))


if __name__ == "__main__":
    out = sys.argv[1] if len(sys.argv) > 1 else "churn.pt"
    torch.manual_seed(0)
    scripted = torch.jit.script(ChurnNet())
    # check the contract before saving: [batch, 17] in, [batch, 1] out
    assert scripted(torch.zeros(2, WIDTH)).shape == (2, 1)
    import os
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    scripted.save(out)
    print(f"wrote {out}")
