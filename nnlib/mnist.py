"""MNIST (and Fashion-MNIST): 70,000 handwritten digits, 28x28 grey pixels, offline (lesson 10).

The course ships MNIST in ``data/mnist/`` as the four standard IDX files, gzipped, so it works
on a machine with no internet. Every load checks the files' SHA-256 checksums first.

    data = load_mnist(scale=True, validation=10_000)
    X_train, y_train = data.train      # X (50000, 784) float32 in [0, 1], y (50000,) uint8
    X_val, y_val = data.val            # the last 10,000 training images
    X_test, y_test = data.test         # the standard 10,000 test images

    X, y = load_mnist("test")          # X (10000, 784) uint8 in 0..255, y (10000,) uint8

The IDX format (LeCun's, for MNIST) is tiny: two zero bytes, a type code (0x08 = unsigned
byte), the number of dimensions, each dimension as a big-endian 32-bit integer, then the
values in row-major order. ``read_idx`` reads any such file, gzipped or not.

The same loader reads the standard files from a folder of yours (``path=``), and
``download_mnist`` fetches them from public mirrors when there is a network, checking their
checksums and never leaving a half-written file behind.

What this module leaves out: data augmentation and every other dataset; it only reads files.

MNIST is by Yann LeCun, Corinna Cortes and Christopher J.C. Burges (CC BY-SA 3.0).
Fashion-MNIST is by Han Xiao, Kashif Rasul and Roland Vollgraf, Zalando Research (MIT).
"""

import errno
import gzip
import hashlib
import os
import socket
import tempfile
import urllib.error
import urllib.request
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np

# The repository's data folder: <repo>/data, beside the nnlib package.
DATA_DIR = Path(__file__).resolve().parent.parent / "data"
MNIST_DIR = DATA_DIR / "mnist"


# --- errors: each one says what is wrong and what to do ------------------------------------


class DataError(OSError):
    """A data file is missing, unreadable, corrupt or truncated."""


class DataNotFoundError(DataError, FileNotFoundError):
    """A data file that should be there is not."""


class ChecksumError(DataError):
    """A file's SHA-256 differs from the published one: it is corrupt, truncated or another file."""


class DownloadError(DataError):
    """No mirror could deliver a file (no network, the server refused, or bad content)."""


# --- what the standard files are ------------------------------------------------------------


@dataclass(frozen=True)
class IDXFile:
    """One standard IDX file: its name and the SHA-256 of its uncompressed bytes.

    ``archive_sha256`` is the SHA-256 of the ``.gz`` that the public mirrors serve (optional:
    a copy compressed differently is still accepted when its content matches ``sha256``).
    """

    name: str
    sha256: str
    size: int
    archive_sha256: str | None = None


@dataclass(frozen=True)
class IDXDataset:
    """A dataset of four IDX files (train/test images/labels) and mirrors that serve them."""

    name: str
    train_images: IDXFile
    train_labels: IDXFile
    test_images: IDXFile
    test_labels: IDXFile
    mirrors: tuple = ()

    def files(self):
        return [self.train_images, self.train_labels, self.test_images, self.test_labels]


MNIST = IDXDataset(
    "MNIST",
    IDXFile("train-images-idx3-ubyte",
            "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db", 47_040_016,
            "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"),
    IDXFile("train-labels-idx1-ubyte",
            "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5", 60_008,
            "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"),
    IDXFile("t10k-images-idx3-ubyte",
            "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7", 7_840_016,
            "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"),
    IDXFile("t10k-labels-idx1-ubyte",
            "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2", 10_008,
            "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"),
    mirrors=(
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "https://storage.googleapis.com/cvdf-datasets/mnist/",
    ),
)

FASHION_MNIST = IDXDataset(
    "Fashion-MNIST",
    IDXFile("train-images-idx3-ubyte",
            "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888", 47_040_016),
    IDXFile("train-labels-idx1-ubyte",
            "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9", 60_008),
    IDXFile("t10k-images-idx3-ubyte",
            "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b", 7_840_016),
    IDXFile("t10k-labels-idx1-ubyte",
            "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34", 10_008),
    mirrors=("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",),
)

DATASETS = {"mnist": MNIST, "fashion-mnist": FASHION_MNIST}

FASHION_CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                   "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")

# Where Debian's dataset-fashion-mnist package puts the files.
FASHION_MNIST_SYSTEM_DIR = Path("/usr/share/datasets/fashion-mnist")

# SHA-256 of the gzipped files shipped in data/mnist/ (also in data/MNIST.sha256, which
# `sha256sum -c` reads). scripts/build_mnist.py rebuilds these files byte for byte.
SHIPPED_SHA256 = dict(line.split()[::-1] for line in """
5e6eefb4633e29be3f14a09b82db05d789b279c44e8de71597ad1dc51a00e541  train-images-idx3-ubyte.gz
a21affcd4852a62b2601411b8253369275270e1372f664360e28a807751f8d9c  train-labels-idx1-ubyte.gz
cd58fbf5ce834415eba6e65e368cb0ed839a5e478861daf08571448712b05a09  t10k-images-idx3-ubyte.gz
ae18e77e031ccde52407f794d123116439864147d33ac992975f85dd4dc42af6  t10k-labels-idx1-ubyte.gz
""".strip().splitlines())

FIX_SHIPPED = ("restore the shipped file with `git checkout data/` (or rebuild it with "
               "`python scripts/build_mnist.py`)")


# --- reading IDX files ----------------------------------------------------------------------

# IDX type codes -> big-endian NumPy dtypes.
IDX_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def read_idx(path):
    """Read one IDX file, gzipped or not, into an array.

    Parameters
    ----------
    path : str or Path
        For example ``"train-images-idx3-ubyte.gz"`` or an uncompressed ``"...-ubyte"``.
        Gzip is recognised by its first two bytes, not by the name.

    Returns
    -------
    ndarray
        Shape and type from the file's header: MNIST images give uint8 (m, 28, 28),
        labels uint8 (m,).
    """
    path = Path(path)
    return parse_idx(_unpack(_read_bytes(path), path), path)


def parse_idx(data, source="IDX data"):
    """Turn the bytes of an (uncompressed) IDX file into an array; see ``read_idx``."""
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] not in IDX_TYPES:
        raise DataError(
            f"{source} is not an IDX file: it should start with two zero bytes and a type "
            f"code, but starts with {bytes(data[:4]).hex(' ')}"
        )
    dtype, ndim = np.dtype(IDX_TYPES[data[2]]), data[3]
    header = 4 + 4 * ndim
    if len(data) < header:
        raise DataError(f"{source} is truncated inside its header ({len(data)} bytes)")
    shape = tuple(int(n) for n in np.frombuffer(data, ">u4", count=ndim, offset=4))
    expected = header + int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if len(data) != expected:
        what = "truncated" if len(data) < expected else "longer than its header says"
        raise DataError(
            f"{source} is {what}: its header announces shape {shape}, which takes "
            f"{expected:,} bytes, but it has {len(data):,} bytes. Get a fresh copy of the file."
        )
    values = np.frombuffer(data, dtype, offset=header).reshape(shape)
    return values.astype(dtype.newbyteorder("="))  # native byte order, and a writable copy


def _read_bytes(path):
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise DataNotFoundError(f"{path} does not exist") from None
    except OSError as error:
        raise DataError(f"{path} could not be read: {error.strerror or error}") from None


def _unpack(data, source, advice="get a fresh copy of the file"):
    """Gunzip ``data`` if it is gzipped; gzip's own CRC catches most corruption."""
    if data[:2] != b"\x1f\x8b":
        return data
    try:
        return gzip.decompress(data)
    except EOFError:
        raise ChecksumError(
            f"{source} is truncated: the gzip stream ends early ({len(data):,} bytes); {advice}"
        ) from None
    except (gzip.BadGzipFile, zlib.error, OSError) as error:
        raise ChecksumError(f"{source} is corrupt: it cannot be gunzipped ({error}); "
                            f"{advice}") from None


def sha256(data):
    """The SHA-256 of some bytes, as 64 hexadecimal digits."""
    return hashlib.sha256(data).hexdigest()


def pool(X, size=3, side=28):
    """Average-pool square images: every ``size`` x ``size`` block of pixels becomes one pixel.

    X : ndarray, shape (m, side * side) rows, or (m, side, side). With MNIST and ``size=3`` the
    28 x 28 grid is cut to its first 27 rows and columns (the last row and column are blank paper
    in almost every image) and averaged in 3 x 3 blocks: 9 x 9 = 81 pixels (lesson 11).
    Returns ndarray, shape (m, (side // size) ** 2), the dtype of X for float input.
    """
    X = np.asarray(X)
    k = side // size
    if X.ndim not in (2, 3) or X.shape[1:] not in ((side * side,), (side, side)):
        raise ValueError(f"pool expects images of shape (m, {side * side}) or (m, {side}, {side}), "
                         f"got {X.shape}")
    grid = X.reshape(len(X), side, side)[:, :k * size, :k * size]
    return grid.reshape(len(X), k, size, k, size).mean(axis=(2, 4)).reshape(len(X), k * k)


# --- loading a dataset ----------------------------------------------------------------------


class Split(NamedTuple):
    """Images and labels of one part: X (m, 784) or (m, 28, 28), y (m,) uint8."""

    X: np.ndarray
    y: np.ndarray


class Dataset(NamedTuple):
    """The three parts: ``train``, ``val`` (None without ``validation``) and ``test``."""

    train: Split
    val: Split | None
    test: Split


def load_mnist(split=None, scale=False, flatten=True, validation=0, path=None,
               dtype=np.float32):
    """Load MNIST: 60,000 training and 10,000 test images of handwritten digits 0-9.

    Parameters
    ----------
    split : None, "train", "val" or "test"
        None returns all parts as a ``Dataset``; a name returns just that ``Split``.
    scale : bool
        False keeps the pixels as uint8 in 0..255 (47 MB for the training set);
        True returns ``dtype`` values in [0, 1] (pixel / 255).
    flatten : bool
        True gives each image as a row of 784 pixels, X.shape == (m, 784);
        False keeps the 28x28 grid, X.shape == (m, 28, 28).
    validation : int
        How many images, taken from the end of the training set, form the validation set
        ``val`` (10,000 gives the classic 50,000 / 10,000 / 10,000 split). 0: no validation.
    path : None or folder
        None: the copy shipped in the repository's ``data/mnist``. A folder: the four
        standard IDX files in it, gzipped or not (for example from ``download_mnist``).
    dtype : float dtype used when ``scale`` is True (float32, the fast choice, by default).

    Returns
    -------
    Dataset(train, val, test) of Split(X, y), or a single Split(X, y) when ``split`` is given.
    X : ndarray, shape (m, 784) or (m, 28, 28), uint8 (or ``dtype`` when scaled).
    y : ndarray, shape (m,), uint8 labels 0..9.

    Every file's SHA-256 is checked first; a corrupt, truncated or missing file raises a
    ``DataError`` that says how to get a good copy.
    """
    return _load(MNIST, split, scale, flatten, validation, path, dtype)


def load_fashion_mnist(split=None, scale=False, flatten=True, validation=0, path=None,
                       dtype=np.float32):
    """Load Fashion-MNIST: 70,000 28x28 images of clothes in 10 classes (``FASHION_CLASSES``).

    Same files, shapes and arguments as ``load_mnist``. It is not shipped with the course:
    ``path`` defaults to /usr/share/datasets/fashion-mnist (Debian's dataset-fashion-mnist
    package), or give a folder filled by ``download_mnist(folder, dataset="fashion-mnist")``.
    """
    if path is None and not FASHION_MNIST_SYSTEM_DIR.is_dir():
        raise DataNotFoundError(
            f"Fashion-MNIST is not installed in {FASHION_MNIST_SYSTEM_DIR}. On Debian or "
            "Ubuntu: sudo apt install dataset-fashion-mnist. Anywhere with a network: "
            "download_mnist(folder, dataset='fashion-mnist'), then "
            "load_fashion_mnist(path=folder)."
        )
    return _load(FASHION_MNIST, split, scale, flatten, validation,
                 FASHION_MNIST_SYSTEM_DIR if path is None else path, dtype)


def _load(dataset, split, scale, flatten, validation, path, dtype):
    if split not in (None, "train", "val", "test"):
        raise ValueError(f'split must be None, "train", "val" or "test", got {split!r}')
    n_train = dataset.train_labels.size - 8  # one byte per label after an 8-byte header
    if isinstance(validation, bool) or not isinstance(validation, (int, np.integer)):
        raise ValueError(
            f"validation is a number of images, e.g. validation=10_000, got {validation!r}"
            + (f"; for a fraction write validation={int(validation * n_train):_}"
               if isinstance(validation, float) and 0 < validation < 1 else "")
        )
    if not 0 <= validation < n_train:
        raise ValueError(f"validation must be a count between 0 and {n_train - 1}, "
                         f"got {validation}")
    if split == "val" and validation == 0:
        raise ValueError('split="val" needs a validation count, e.g. validation=10_000')
    parts = {}
    if split != "test":
        X, y = _read_pair(dataset, "train", path)
        cut = len(X) - validation
        parts["train"] = (X[:cut], y[:cut])
        parts["val"] = (X[cut:], y[cut:]) if validation else None
    if split in (None, "test"):
        parts["test"] = _read_pair(dataset, "test", path)
    for name, part in parts.items():
        if part is not None:
            parts[name] = _finish(*part, scale, flatten, dtype)
    if split is not None:
        return parts[split]
    return Dataset(parts["train"], parts["val"], parts["test"])


def _finish(X, y, scale, flatten, dtype):
    if scale:
        X = np.divide(X, 255, dtype=dtype)  # computed straight in float32: no float64 copy
    if flatten:
        X = X.reshape(len(X), -1)
    return Split(X, y)


def _read_pair(dataset, part, path):
    images, labels = ((dataset.train_images, dataset.train_labels) if part == "train"
                      else (dataset.test_images, dataset.test_labels))
    X = _read_verified(dataset, images, path)
    y = _read_verified(dataset, labels, path)
    if len(X) != len(y):
        raise DataError(f"{dataset.name} {part}: {len(X):,} images but {len(y):,} labels")
    return X, y


def _read_verified(dataset, file, path):
    """Read one standard file, from the shipped copy or a user folder, checking its hash."""
    if path is None:
        source = MNIST_DIR / f"{file.name}.gz"
        if not source.exists():
            raise DataNotFoundError(
                f"the shipped MNIST file {source} is missing; {FIX_SHIPPED}. Outside a clone "
                "of the course repository, download the files with download_mnist(folder) "
                "and call load_mnist(path=folder)."
            )
        data = _read_bytes(source)
        digest, expected = sha256(data), SHIPPED_SHA256[source.name]
        if digest != expected:
            raise ChecksumError(
                f"{source} is corrupt or truncated: its SHA-256 is {digest[:12]}..., "
                f"expected {expected[:12]}... (the file has {len(data):,} bytes); "
                f"{FIX_SHIPPED}."
            )
        return parse_idx(_unpack(data, source), source)
    source = _find_in_folder(dataset, file, Path(path).expanduser())
    data = _unpack(_read_bytes(source), source, "delete it and download it again with "
                   f"{_download_call(dataset, source.parent)}")
    digest = sha256(data)
    if digest != file.sha256:
        raise ChecksumError(
            f"{source} is not the standard {dataset.name} file {file.name}: its content has "
            f"SHA-256 {digest[:12]}... ({len(data):,} bytes), expected {file.sha256[:12]}... "
            f"({file.size:,} bytes). It is corrupt or truncated: delete it and download it "
            f"again with {_download_call(dataset, source.parent)}."
        )
    return parse_idx(data, source)


def _find_in_folder(dataset, file, folder):
    if not folder.is_dir():
        raise DataNotFoundError(
            f"the folder {folder} for {dataset.name} does not exist; check the path, or "
            f"download the files there with {_download_call(dataset, folder)}"
        )
    # Some copies (Kaggle's, for one) spell the names train-images.idx3-ubyte: accept both.
    dotted = file.name.replace("-idx", ".idx")
    for name in (f"{file.name}.gz", file.name, f"{dotted}.gz", dotted):
        if (folder / name).is_file():
            return folder / name
    raise DataNotFoundError(
        f"{file.name}.gz (or {file.name}) is missing from {folder}; download the "
        f"{dataset.name} files there with {_download_call(dataset, folder)}"
    )


def _download_call(dataset, folder):
    """The download_mnist(...) call that fills ``folder`` with ``dataset``'s files."""
    key = next((key for key, value in DATASETS.items() if value is dataset), dataset.name)
    return f"download_mnist({str(folder)!r}" + ("" if key == "mnist" else
                                                 f", dataset={key!r}") + ")"


# --- downloading ----------------------------------------------------------------------------


def download_mnist(folder, dataset="mnist", mirrors=None, timeout=30.0, progress=True):
    """Download the four standard IDX files into ``folder``, checking every checksum.

    Parameters
    ----------
    folder : str or Path
        Created if needed. Files already there with the right checksum are kept.
    dataset : "mnist", "fashion-mnist", or an ``IDXDataset`` describing other files.
    mirrors : list of base URLs tried in order (default: the dataset's public mirrors).
    timeout : seconds to wait for a server before trying the next mirror.
    progress : print one line per file.

    Returns
    -------
    Path of the folder, ready for ``load_mnist(path=folder)``.

    Each file is written to a temporary name and renamed only once its checksum is right, so
    an interrupted or failed download never leaves a partial file behind. Without a network
    you get a ``DownloadError`` sentence, not a traceback from urllib; a folder you cannot
    write to, or a full disk, stops at once with a ``DataError`` that says so.
    """
    if isinstance(dataset, str) and dataset not in DATASETS:
        raise ValueError(f"unknown dataset {dataset!r}; choose one of {', '.join(DATASETS)}")
    spec = DATASETS[dataset] if isinstance(dataset, str) else dataset
    mirrors = list(spec.mirrors if mirrors is None else mirrors)
    folder = Path(folder).expanduser()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise DataError(_cannot_write(folder, error)) from None
    for file in spec.files():
        target = folder / f"{file.name}.gz"
        if target.exists() and _content_matches(target.read_bytes(), file):
            continue
        failures = []
        for mirror in mirrors:
            url = mirror.rstrip("/") + f"/{file.name}.gz"
            try:
                size = _fetch(url, target, file, timeout)
            except (DownloadError, ChecksumError) as error:  # this mirror failed: try the next
                failures.append(f"{url}: {error}")
                continue
            if progress:
                print(f"downloaded {target} ({size:,} bytes, checksum OK)")
            break
        else:
            raise DownloadError(_download_advice(spec, file, folder, failures)) from None
    return folder


def _content_matches(archive, file):
    """True if a downloaded archive is the standard file: the mirror's exact .gz, or any
    compression of the standard content."""
    if file.archive_sha256 and sha256(archive) == file.archive_sha256:
        return True
    try:
        return sha256(_unpack(archive, file.name)) == file.sha256
    except DataError:
        return False


def _fetch(url, target, file, timeout):
    """Download ``url`` to ``target`` through a temporary file; return the number of bytes."""
    try:
        descriptor, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.",
                                            suffix=".part")
    except OSError as error:
        raise DataError(_cannot_write(target.parent, error)) from None
    try:
        try:
            with os.fdopen(descriptor, "wb") as out:
                announced, received = _copy_url(url, out, timeout)
        except DataError:
            raise
        except (_WriteError, OSError) as error:  # our disk, not the network: no mirror helps
            cause = error.__cause__ if isinstance(error, _WriteError) else error
            raise DataError(_cannot_write(target.parent, cause)) from None
        if announced is not None and received < announced:
            raise DownloadError(f"the transfer stopped after {received:,} of {announced:,} bytes")
        data = Path(temp).read_bytes()
        if not _content_matches(data, file):
            raise ChecksumError(
                f"the file received ({received:,} bytes) fails its checksum (SHA-256 "
                f"{sha256(data)[:12]}...): it is corrupt or truncated on that server"
            )
        os.replace(temp, target)  # atomic: the target is either absent or complete
        return received
    finally:
        if os.path.exists(temp):
            os.remove(temp)


def _copy_url(url, out, timeout):
    """Stream ``url`` into ``out``; turn every network failure into a one-line DownloadError."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            length = response.headers.get("Content-Length")
            announced = int(length) if length and length.isdigit() else None
            received = 0
            while chunk := response.read(1 << 20):
                try:
                    out.write(chunk)
                except OSError as error:
                    raise _WriteError() from error
                received += len(chunk)
            return announced, received
    except urllib.error.HTTPError as error:
        raise DownloadError(f"the server answered HTTP {error.code} ({error.reason})") from None
    except urllib.error.URLError as error:
        raise DownloadError(_network_reason(error.reason, timeout)) from None
    except TimeoutError:
        raise DownloadError(f"no answer within {timeout:g} s") from None
    except OSError as error:  # connection reset, http.client.IncompleteRead, ...
        raise DownloadError(f"the connection failed during the transfer ({error})") from None
    except ValueError as error:  # a malformed URL
        raise DownloadError(f"bad URL ({error})") from None


class _WriteError(Exception):
    """Writing a download to disk failed (the OSError is its __cause__)."""


def _cannot_write(folder, error):
    """A sentence for a folder we cannot write the downloads into."""
    if error.errno == errno.ENOSPC:
        advice = "free some disk space (MNIST takes 12 MB) or choose another folder"
    else:
        advice = "choose a folder of yours, for example download_mnist('~/mnist')"
    return f"cannot write into {folder} ({error.strerror or error}); {advice}"


def _network_reason(reason, timeout):
    if isinstance(reason, socket.gaierror):
        return "the server's name could not be resolved (no network, or no DNS)"
    if isinstance(reason, ConnectionRefusedError):
        return "the connection was refused (no server there)"
    if isinstance(reason, TimeoutError):
        return f"no answer within {timeout:g} s"
    return f"the server could not be reached ({reason})"


def _download_advice(spec, file, folder, failures):
    tried = "\n".join(f"  - {failure}" for failure in failures) or "  (no mirrors given)"
    offline = failures and all(("resolved" in f or "refused" in f or "no answer" in f
                                or "reached" in f) for f in failures)
    lines = [f"could not download {file.name}.gz of {spec.name} from any of "
             f"{len(failures)} mirror(s):", tried]
    if offline:
        lines.append("This machine seems to have no network access.")
    if spec is MNIST:
        lines.append("Offline, use the copy shipped with the course: load_mnist() with no path.")
    lines.append(f"You can also copy the four IDX files into {folder} by hand and load them "
                 "with path=... (their checksums are checked).")
    return "\n".join(lines)
