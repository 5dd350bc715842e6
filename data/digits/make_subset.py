"""Rebuilds digits.npz from scikit-learn's copy of the UCI optical digits (test part).

Usage: python3 make_subset.py ../../../shared/datasets/sklearn/digits.csv.gz
Keeps all 1,797 rows in their original order. Each row holds 64 pixel counts in 0..16 and
the digit last; the pixels are divided by 16 so they lie in [0, 1] and stored as float32
'x' [1797, 1, 8, 8], the digits as int64 'y' [1797]. The zip has fixed timestamps, so the
bytes are the same on every run.
"""
import gzip
import io
import struct
import sys
import zipfile


def npy(dtype, shape, payload):
    header = "{'descr': '%s', 'fortran_order': False, 'shape': (%s), }" % (
        dtype, "".join(f"{d}, " for d in shape) if len(shape) == 1 else ", ".join(str(d) for d in shape))
    # The header plus magic, version and length field is padded to a multiple of 64 bytes.
    total = 10 + len(header) + 1
    header += " " * ((64 - total % 64) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode("latin1") + payload


def main(source):
    with gzip.open(source, "rt") as f:
        rows = [line.strip().split(",") for line in f if line.strip()]
    pixels, digits = [], []
    for row in rows:
        values = [int(v) for v in row]
        if len(values) != 65 or not all(0 <= v <= 16 for v in values[:64]) or not 0 <= values[64] <= 9:
            raise SystemExit(f"unexpected row: {row}")
        pixels.extend(v / 16.0 for v in values[:64])
        digits.append(values[64])
    n = len(digits)
    x = npy("<f4", (n, 1, 8, 8), struct.pack(f"<{len(pixels)}f", *pixels))
    y = npy("<i8", (n,), struct.pack(f"<{n}q", *digits))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in (("x.npy", x), ("y.npy", y)):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    with open("digits.npz", "wb") as out:
        out.write(buffer.getvalue())
    print(f"digits.npz: {n} images")


if __name__ == "__main__":
    main(sys.argv[1])
