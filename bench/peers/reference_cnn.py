"""The reference CNN of the benchmark, with parameter names matching Bulwark's Sequential."""
import torch
from torch import nn


def reference_cnn():
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(3136, 128), nn.ReLU(), nn.Linear(128, 10))


def load_weights(model, arrays):
    state = {name: arrays[name] for name in model.state_dict().keys()}
    model.load_state_dict(state)
    return model
