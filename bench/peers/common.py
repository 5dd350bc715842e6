"""Shared helpers of the PyTorch peers: argument parsing, array exchange, timing."""
import json
import os
import statistics
import sys
import time

import numpy as np
import torch


def setup():
    """Returns (dir, warmup, runs) and pins PyTorch to the requested thread count."""
    directory, threads, warmup, runs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    torch.set_num_threads(threads)
    torch.set_num_interop_threads(1)
    return directory, warmup, runs


def load(directory):
    with open(os.path.join(directory, "manifest.json")) as f:
        manifest = json.load(f)
    return {
        name: torch.from_numpy(np.fromfile(os.path.join(directory, name + ".bin"), dtype="<f4").reshape(shape))
        for name, shape in manifest.items()
    }


def save(directory, name, tensor):
    tensor.detach().contiguous().numpy().astype("<f4").tofile(os.path.join(directory, name + ".bin"))


def median_ms(fn, warmup, runs):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000.0)
    return statistics.median(times)


def report(ms):
    print(json.dumps({"ms": ms}))
