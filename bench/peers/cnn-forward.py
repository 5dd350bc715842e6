"""PyTorch peer of `cnn-forward`: the reference CNN on one batch, inference mode. Also exports
the same network with the same weights to ONNX for the ONNX Runtime peer."""
import os

import torch

from common import load, median_ms, report, save, setup
from reference_cnn import load_weights, reference_cnn

directory, warmup, runs = setup()
arrays = load(directory)
model = load_weights(reference_cnn(), arrays).eval()
x = arrays["x"]
with torch.inference_mode():
    save(directory, "torch_logits", model(x))
    ms = median_ms(lambda: model(x), warmup, runs)
torch.onnx.export(model, x, os.path.join(directory, "model.onnx"), input_names=["x"], output_names=["logits"], opset_version=13)
report(ms)
