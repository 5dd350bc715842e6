"""PyTorch peer of `cnn-forward`: the reference CNN on one batch, inference. The peer at its
best: it times both eager inference mode and TorchScript's optimize_for_inference (oneDNN
layouts, fused ops) and reports the faster. Also exports the same network with the same weights
to ONNX for the ONNX Runtime peer."""
import os

import torch

from common import load, median_ms, report, save, setup
from reference_cnn import load_weights, reference_cnn

directory, warmup, runs = setup()
arrays = load(directory)
model = load_weights(reference_cnn(), arrays).eval()
x = arrays["x"]
with torch.inference_mode():
    logits = model(x)
    save(directory, "torch_logits", logits)
    eager_ms = median_ms(lambda: model(x), warmup, runs)
with torch.no_grad():
    optimized = torch.jit.optimize_for_inference(torch.jit.script(model))
    if not torch.allclose(optimized(x), logits, rtol=1e-4, atol=1e-4):
        raise SystemExit("optimize_for_inference changed the outputs")
    optimized_ms = median_ms(lambda: optimized(x), warmup, runs)
torch.onnx.export(model, x, os.path.join(directory, "model.onnx"), input_names=["x"], output_names=["logits"], opset_version=13)
report(min(eager_ms, optimized_ms))
