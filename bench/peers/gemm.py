"""PyTorch peer of the `gemm` case: C = A·B for the arrays the harness wrote."""
import torch

from common import load, median_ms, report, save, setup

directory, warmup, runs = setup()
arrays = load(directory)
a, b = arrays["a"], arrays["b"]
with torch.inference_mode():
    save(directory, "torch_c", torch.mm(a, b))
    report(median_ms(lambda: torch.mm(a, b), warmup, runs))
