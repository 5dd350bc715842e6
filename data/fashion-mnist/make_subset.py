"""Rebuilds this folder's Fashion-MNIST subset from the full set.

Usage: python3 make_subset.py ../../../shared/datasets/fashion-mnist
Takes, in original order, the first 600 training and the first 100 test images of each
class (6,000 and 1,000 images, balanced), and writes them as gzipped IDX files with a
fixed gzip timestamp so the bytes are reproducible.
"""
import gzip
import struct
import sys


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return dims, data[4 + 4 * ndim:]


def write_idx(path, dims, payload):
    header = bytes([0, 0, 8, len(dims)]) + struct.pack(">" + "I" * len(dims), *dims)
    with open(path, "wb") as raw:
        with gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as f:
            f.write(header + payload)


def subset(src, split, per_class):
    (n, h, w), images = read_idx(f"{src}/{split}-images-idx3-ubyte.gz")
    (_,), labels = read_idx(f"{src}/{split}-labels-idx1-ubyte.gz")
    counts = [0] * 10
    keep = []
    for i in range(n):
        if counts[labels[i]] < per_class:
            counts[labels[i]] += 1
            keep.append(i)
    size = h * w
    write_idx(f"{split}-images-idx3-ubyte.gz", (len(keep), h, w), b"".join(images[i * size:(i + 1) * size] for i in keep))
    write_idx(f"{split}-labels-idx1-ubyte.gz", (len(keep),), bytes(labels[i] for i in keep))


if __name__ == "__main__":
    source = sys.argv[1]
    subset(source, "train", 600)
    subset(source, "t10k", 100)
