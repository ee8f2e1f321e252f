"""The shipped MNIST, its checksums, the IDX reader, and clear errors for bad or missing files."""

import gzip
import hashlib
import os
import shutil
import struct
from pathlib import Path

import numpy as np
import pytest

from nnlib import mnist
from nnlib.mnist import (
    ChecksumError,
    DataError,
    DataNotFoundError,
    load_fashion_mnist,
    load_mnist,
    parse_idx,
    read_idx,
)

TRAIN_LABEL_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
TEST_FILES = ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")


@pytest.fixture(scope="module")
def train():
    return load_mnist("train")


@pytest.fixture(scope="module")
def test():
    return load_mnist("test")


def idx(values, type_code=0x08):
    """An uncompressed IDX file holding ``values`` (already in the right big-endian dtype)."""
    values = np.asarray(values)
    header = struct.pack(">BBBB", 0, 0, type_code, values.ndim)
    return header + struct.pack(f">{values.ndim}I", *values.shape) + values.tobytes()


# --- the shipped data -------------------------------------------------------------------


def test_shipped_files_match_the_recorded_sha256():
    recorded = {}
    for line in (mnist.DATA_DIR / "MNIST.sha256").read_text().splitlines():
        digest, name = line.split()
        recorded[Path(name).name] = digest
    assert recorded == mnist.SHIPPED_SHA256
    for name, digest in recorded.items():
        assert hashlib.sha256((mnist.MNIST_DIR / name).read_bytes()).hexdigest() == digest


def test_shipped_data_is_small_enough_for_the_repository():
    total = sum(path.stat().st_size for path in mnist.MNIST_DIR.glob("*.gz"))
    assert total < 15 * 2**20


def test_train_has_60000_images_with_the_standard_label_counts(train):
    X, y = train
    assert X.shape == (60_000, 784) and X.dtype == np.uint8
    assert y.shape == (60_000,) and y.dtype == np.uint8
    assert np.bincount(y, minlength=10).tolist() == TRAIN_LABEL_COUNTS


def test_test_set_has_10000_images(test):
    X, y = test
    assert X.shape == (10_000, 784) and X.dtype == np.uint8
    assert y.shape == (10_000,)
    assert np.bincount(y).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


def test_pixels_are_whole_bytes_with_a_black_border(test):
    X, _ = test
    assert X.min() == 0 and X.max() == 255
    images = X.reshape(-1, 28, 28)
    assert images[:, 0, :].max() == 0  # the top row is black in every MNIST digit


def test_content_is_the_standard_idx_files_byte_for_byte():
    for file in mnist.MNIST.files():
        raw = gzip.decompress((mnist.MNIST_DIR / f"{file.name}.gz").read_bytes())
        assert len(raw) == file.size
        assert hashlib.sha256(raw).hexdigest() == file.sha256


def test_scale_gives_float32_in_0_1_and_flatten_false_keeps_the_grid(test):
    X, y = load_mnist("test", scale=True, flatten=False)
    assert X.shape == (10_000, 28, 28) and X.dtype == np.float32
    assert X.min() == 0.0 and X.max() == 1.0
    np.testing.assert_array_equal(X.reshape(10_000, -1), test.X / np.float32(255))
    assert load_mnist("test", scale=True, dtype=np.float64).X.dtype == np.float64


def test_validation_takes_the_last_images_of_train(train):
    data = load_mnist(validation=10_000)
    assert data.train.X.shape == (50_000, 784) and data.val.X.shape == (10_000, 784)
    np.testing.assert_array_equal(data.val.X, train.X[50_000:])
    np.testing.assert_array_equal(data.train.y, train.y[:50_000])
    assert data.test.X.shape == (10_000, 784)
    assert load_mnist().val is None


def test_split_val_and_parts_unpack_as_pairs():
    X_val, y_val = load_mnist("val", validation=100)
    assert X_val.shape == (100, 784) and y_val.shape == (100,)
    train, val, test = load_mnist(validation=100)
    assert len(train.X) == 59_900 and len(val.y) == 100 and len(test.X) == 10_000


def test_bad_arguments_are_explained():
    with pytest.raises(ValueError, match="split must be"):
        load_mnist("validation")
    with pytest.raises(ValueError, match=r"number of images.*got 0.1; for a fraction write "
                                         r"validation=6_000"):
        load_mnist(validation=0.1)
    with pytest.raises(ValueError, match="number of images"):
        load_mnist(validation=True)
    with pytest.raises(ValueError, match="validation=10_000"):
        load_mnist("val")
    with pytest.raises(ValueError, match="between 0 and 59999"):
        load_mnist(validation=60_000)


def test_scaling_never_makes_a_float64_copy_of_the_images():
    """uint8 pixels go straight to float32: the peak stays below one float64 copy of them."""
    import tracemalloc

    tracemalloc.start()
    try:
        X, _ = load_mnist("test", scale=True)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert X.dtype == np.float32
    float64_copy = 10_000 * 784 * 8
    assert peak < float64_copy, f"peak {peak:,} bytes while scaling the 10,000 test images"


def test_returned_arrays_are_writable():
    X, _ = load_mnist("test")
    X[0, 0] = 1  # a student may edit an image without "assignment destination is read-only"


# --- the shipped files damaged ---------------------------------------------------------


@pytest.fixture
def shipped_copy(tmp_path, monkeypatch):
    """A copy of the shipped test files that the loader takes for the shipped ones."""
    for name in TEST_FILES:
        shutil.copy(mnist.MNIST_DIR / name, tmp_path / name)
    monkeypatch.setattr(mnist, "MNIST_DIR", tmp_path)
    return tmp_path


def test_corrupt_shipped_file_says_how_to_restore_it(shipped_copy):
    path = shipped_copy / TEST_FILES[0]
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ChecksumError) as error:
        load_mnist("test")
    message = str(error.value)
    assert "corrupt or truncated" in message and "git checkout data/" in message
    assert "build_mnist.py" in message and "1,600,199 bytes" in message


def test_truncated_shipped_file_is_reported(shipped_copy):
    path = shipped_copy / TEST_FILES[1]
    path.write_bytes(path.read_bytes()[:1000])
    with pytest.raises(ChecksumError, match=r"corrupt or truncated.*1,000 bytes"):
        load_mnist("test")


def test_missing_shipped_file_says_how_to_get_it(shipped_copy):
    (shipped_copy / TEST_FILES[0]).unlink()
    with pytest.raises(DataNotFoundError) as error:
        load_mnist("test")
    assert "missing" in str(error.value) and "git checkout data/" in str(error.value)
    assert isinstance(error.value, FileNotFoundError)  # plain `except FileNotFoundError` works


# --- IDX files in a folder of the user's ------------------------------------------------


def test_user_folder_with_uncompressed_or_gzipped_idx_files(tmp_path, test):
    for name in TEST_FILES:
        raw = gzip.decompress((mnist.MNIST_DIR / name).read_bytes())
        (tmp_path / name.removesuffix(".gz")).write_bytes(raw)  # uncompressed
    X, y = load_mnist("test", path=tmp_path)
    np.testing.assert_array_equal(X, test.X)
    np.testing.assert_array_equal(y, test.y)
    # the gzipped name wins when both are there
    shutil.copy(mnist.MNIST_DIR / TEST_FILES[1], tmp_path / TEST_FILES[1])
    np.testing.assert_array_equal(load_mnist("test", path=str(tmp_path)).y, test.y)


def test_user_file_with_other_content_fails_its_checksum(tmp_path):
    shutil.copy(mnist.MNIST_DIR / TEST_FILES[0], tmp_path / TEST_FILES[0])
    (tmp_path / "t10k-labels-idx1-ubyte").write_bytes(idx(np.zeros(10_000, np.uint8)))
    with pytest.raises(ChecksumError) as error:
        load_mnist("test", path=tmp_path)
    message = str(error.value)
    assert "not the standard MNIST file t10k-labels-idx1-ubyte" in message
    assert "download_mnist(" in message and "10,008 bytes" in message


def test_truncated_gzip_in_user_folder_is_reported(tmp_path):
    for name in TEST_FILES:
        shutil.copy(mnist.MNIST_DIR / name, tmp_path / name)
    path = tmp_path / TEST_FILES[0]
    path.write_bytes(path.read_bytes()[:50_000])
    with pytest.raises(ChecksumError, match=r"truncated: the gzip stream ends early"):
        load_mnist("test", path=tmp_path)


def test_missing_user_file_and_missing_folder_are_reported(tmp_path):
    with pytest.raises(DataNotFoundError, match=r"t10k-images-idx3-ubyte.gz .* is missing"):
        load_mnist("test", path=tmp_path)
    with pytest.raises(DataNotFoundError, match=r"does not exist; check the path, or download "
                                                r"the files there with download_mnist\("):
        load_mnist("test", path=tmp_path / "nowhere")


def test_damaged_gzip_in_user_folder_says_how_to_replace_it(tmp_path):
    for name in TEST_FILES:
        shutil.copy(mnist.MNIST_DIR / name, tmp_path / name)
    path = tmp_path / TEST_FILES[1]
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ChecksumError) as error:
        load_mnist("test", path=tmp_path)
    message = str(error.value)
    assert "corrupt: it cannot be gunzipped" in message
    assert f"delete it and download it again with download_mnist({str(tmp_path)!r})" in message


def test_user_folder_with_dotted_names_and_a_tilde(tmp_path, monkeypatch, test):
    """Kaggle's copy names the files t10k-images.idx3-ubyte; "~/mnist" means the home folder."""
    folder = tmp_path / "mnist"
    folder.mkdir()
    for name in TEST_FILES:
        raw = gzip.decompress((mnist.MNIST_DIR / name).read_bytes())
        (folder / name.removesuffix(".gz").replace("-idx", ".idx")).write_bytes(raw)
    monkeypatch.setenv("HOME", str(tmp_path))
    X, y = load_mnist("test", path="~/mnist")
    np.testing.assert_array_equal(X, test.X)
    np.testing.assert_array_equal(y, test.y)


def test_fashion_mnist_files_are_told_apart_from_mnist(tmp_path, monkeypatch):
    for name in TEST_FILES:
        shutil.copy(mnist.MNIST_DIR / name, tmp_path / name)
    with pytest.raises(ChecksumError, match="not the standard Fashion-MNIST file"):
        load_fashion_mnist("test", path=tmp_path)


def test_fashion_mnist_not_installed_says_how_to_get_it(tmp_path, monkeypatch):
    monkeypatch.setattr(mnist, "FASHION_MNIST_SYSTEM_DIR", tmp_path / "absent")
    with pytest.raises(DataNotFoundError) as error:
        load_fashion_mnist()
    message = str(error.value)
    assert "not installed" in message and "apt install dataset-fashion-mnist" in message
    assert "download_mnist(folder, dataset='fashion-mnist')" in message


@pytest.mark.skipif(not mnist.FASHION_MNIST_SYSTEM_DIR.is_dir()
                    and os.environ.get("NNCOURSE_REQUIRE_FASHION_MNIST") != "1",
                    reason="Debian's dataset-fashion-mnist package is not installed "
                           "(.ci/run installs it and sets NNCOURSE_REQUIRE_FASHION_MNIST=1)")
def test_fashion_mnist_from_the_debian_package():
    X, y = load_fashion_mnist("test", scale=True)
    assert X.shape == (10_000, 784) and X.dtype == np.float32
    assert np.bincount(y).tolist() == [1000] * 10
    assert len(mnist.FASHION_CLASSES) == 10


# --- the IDX reader ------------------------------------------------------------------------


def test_read_idx_reads_every_type_gzipped_or_not(tmp_path):
    cases = [
        (np.arange(24, dtype=np.uint8).reshape(2, 3, 4), 0x08),
        (np.array([-3, 5], dtype=np.int8), 0x09),
        (np.array([[1, -2], [300, 4]], dtype=">i2"), 0x0B),
        (np.array([70_000, -1], dtype=">i4"), 0x0C),
        (np.array([0.5, -1.25], dtype=">f4"), 0x0D),
        (np.array([[1e300]], dtype=">f8"), 0x0E),
    ]
    for k, (values, code) in enumerate(cases):
        plain, packed = tmp_path / f"{k}-idx", tmp_path / f"{k}-idx.gz"
        plain.write_bytes(idx(values, code))
        packed.write_bytes(gzip.compress(idx(values, code)))
        for path in (plain, packed):
            out = read_idx(path)
            assert out.shape == values.shape and out.dtype.isnative
            np.testing.assert_array_equal(out, values)


def test_parse_idx_explains_what_is_wrong():
    with pytest.raises(DataError, match="not an IDX file: .* starts with 3c 68 74 6d"):
        parse_idx(b"<html>404</html>", "page.html")
    with pytest.raises(DataError, match="truncated inside its header"):
        parse_idx(idx(np.zeros((2, 2), np.uint8))[:9])
    data = idx(np.zeros((5, 28, 28), np.uint8))
    with pytest.raises(DataError, match=r"truncated: .*\(5, 28, 28\).*3,936 bytes.*1,000 bytes"):
        parse_idx(data[:1000], "images")
    with pytest.raises(DataError, match="longer than its header says"):
        parse_idx(data + b"\0")


def test_read_idx_of_a_missing_or_corrupt_file(tmp_path):
    with pytest.raises(DataNotFoundError, match="does not exist"):
        read_idx(tmp_path / "absent.gz")
    bad = tmp_path / "bad.gz"
    packed = bytearray(gzip.compress(idx(np.arange(1000, dtype=np.uint8) % 7)))
    packed[20] ^= 0xFF
    bad.write_bytes(bytes(packed))
    with pytest.raises(ChecksumError, match="corrupt: it cannot be gunzipped"):
        read_idx(bad)


# --- scripts/build_mnist.py, without its network step ---------------------------------


@pytest.fixture(scope="module")
def build_script():
    import importlib.util

    path = mnist.DATA_DIR.parent / "scripts" / "build_mnist.py"
    spec = importlib.util.spec_from_file_location("build_mnist", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_build_script_gzips_the_shipped_labels_byte_for_byte(build_script):
    for name in ("train-labels-idx1-ubyte.gz", "t10k-labels-idx1-ubyte.gz"):
        shipped = (mnist.MNIST_DIR / name).read_bytes()
        rebuilt = build_script.gzip_bytes(gzip.decompress(shipped))
        zlib_version = build_script.zlib.ZLIB_RUNTIME_VERSION
        assert rebuilt == shipped, (f"{name}: this zlib ({zlib_version}) compresses "
                                    "differently; the content is still checked by its SHA-256")


def test_build_script_writes_idx_that_read_idx_reads_back(build_script, tmp_path):
    values = np.arange(2 * 28 * 28, dtype=np.uint8).reshape(2, 28, 28)
    path = tmp_path / "x-idx3-ubyte.gz"
    path.write_bytes(build_script.gzip_bytes(build_script.idx_bytes(values)))
    np.testing.assert_array_equal(read_idx(path), values)
    pixels = build_script.to_bytes(np.array([[0.0, 1 / 256, 255 / 256]], dtype=np.float32))
    assert pixels.tolist() == [[0, 1, 255]]


@pytest.fixture
def rebuilt(build_script, monkeypatch):
    """build_script.build replaced by the shipped content, the test images gzipped by "another
    zlib" (level 1); the repository's data/ replaced by a copy."""
    files = {}
    for file in mnist.MNIST.files():
        packed = (mnist.MNIST_DIR / f"{file.name}.gz").read_bytes()
        if file.name == "t10k-images-idx3-ubyte":
            packed = gzip.compress(gzip.decompress(packed), compresslevel=1, mtime=0)
        files[file.name] = (gzip.decompress(packed), packed)
    monkeypatch.setattr(build_script, "build", lambda wheel: files)
    return files


def test_build_script_never_overwrites_the_shipped_files_with_other_gzip_bytes(
        build_script, rebuilt, tmp_path, monkeypatch):
    root = tmp_path / "repo"
    shutil.copytree(mnist.DATA_DIR, root / "data")
    before = {p.name: p.read_bytes() for p in (root / "data").rglob("*") if p.is_file()}
    monkeypatch.setattr(build_script, "ROOT", root)
    with pytest.raises(SystemExit, match="compresses differently.*left as they are"):
        build_script.main(["--wheel", "unused.whl"])
    after = {p.name: p.read_bytes() for p in (root / "data").rglob("*") if p.is_file()}
    assert after == before  # load_mnist() would have refused new bytes as corrupt


def test_build_script_writes_other_gzip_bytes_elsewhere_and_says_so(build_script, rebuilt,
                                                                     tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        build_script.main(["--wheel", "unused.whl", "--out", str(tmp_path)])
    assert exit_.value.code == 1
    assert "gzip bytes differ from the recorded" in capsys.readouterr().out
    written = tmp_path / "mnist" / "t10k-images-idx3-ubyte.gz"
    assert written.read_bytes() == rebuilt["t10k-images-idx3-ubyte"][1]
    assert sorted(p.name for p in tmp_path.rglob("*.part")) == []
    assert hashlib.sha256(written.read_bytes()).hexdigest() in (
        tmp_path / "MNIST.sha256").read_text()


def test_build_script_refuses_a_pickle_that_is_not_just_arrays(build_script):
    import io
    import os
    import pickle

    with pytest.raises(pickle.UnpicklingError, match="refusing to load"):
        build_script._ArraysOnly(io.BytesIO(pickle.dumps(os.getcwd))).load()


# --- benchmarks/bench_mnist.py: its three implementations are the same algorithm ----------


@pytest.fixture(scope="module")
def bench():
    import importlib.util

    path = mnist.DATA_DIR.parent / "benchmarks" / "bench_mnist.py"
    spec = importlib.util.spec_from_file_location("bench_mnist", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def bench_run(bench, make_trainer):
    """Ten batches of 64 test images, from the benchmark's weights, through one trainer."""
    X, y = load_mnist("test", scale=True)
    rng = np.random.default_rng(0)
    weights = [(rng.standard_normal((n_in, n_out)) * np.sqrt(2 / n_in)).astype(np.float32)
               for n_in, n_out in zip(bench.SIZES[:-1], bench.SIZES[1:])]
    order = rng.permutation(len(X))[:640]
    trainer = make_trainer(weights, 0.1)
    trainer.epoch(X, y, order, 64)
    return trainer


def nnlib_weights(trainer):
    return [layer.W for layer in trainer.model.linear_layers()]


def test_benchmark_book_loop_takes_the_same_steps_as_nnlib(bench):
    nnlib_W = nnlib_weights(bench_run(bench, bench.NnlibTrainer))
    book = bench_run(bench, lambda W, lr: bench.BookTrainer(W, lr, 640))
    for W, W_book in zip(nnlib_W, book.weights):  # the book stores W as (n_out, n_in)
        np.testing.assert_allclose(W, W_book.T, atol=1e-6)


def test_benchmark_pytorch_takes_the_same_steps_as_nnlib(bench):
    torch = pytest.importorskip("torch", reason="PyTorch is a benchmark-only extra")
    nnlib_W = nnlib_weights(bench_run(bench, bench.NnlibTrainer))
    model = bench_run(bench, lambda W, lr: bench.TorchTrainer(torch, W, lr)).model
    torch_W = [layer.weight.detach().numpy().T for layer in model
               if isinstance(layer, torch.nn.Linear)]
    for W, W_torch in zip(nnlib_W, torch_W):
        np.testing.assert_allclose(W, W_torch, atol=1e-6)


# --- benchmarks/train_mnist_98.py: the README's recipe really reaches 98 % -----------------


def test_the_readme_recipe_reaches_98_percent_on_the_test_set(capsys):
    """The whole recipe, as the README runs it (about 7 s here; the time is not asserted)."""
    import importlib.util

    path = mnist.DATA_DIR.parent / "benchmarks" / "train_mnist_98.py"
    spec = importlib.util.spec_from_file_location("train_mnist_98", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    test_accuracy, _seconds = module.main([])
    assert test_accuracy >= 0.98
    assert f"test accuracy {test_accuracy:.2%}" in capsys.readouterr().out


def test_pool_averages_3x3_blocks_of_the_first_27_rows_and_columns():
    X = np.arange(2 * 784, dtype=np.float32).reshape(2, 784)
    pooled = mnist.pool(X)
    assert pooled.shape == (2, 81) and pooled.dtype == np.float32
    grid = X[1].reshape(28, 28)
    assert pooled[1, 0] == grid[:3, :3].mean() and pooled[1, 80] == grid[24:27, 24:27].mean()
    assert pooled[0, 9 + 2] == grid[3:6, 6:9].mean() - 784  # row 1, column 2 of the 9 x 9 grid
    np.testing.assert_array_equal(mnist.pool(X.reshape(2, 28, 28)), pooled)
    with pytest.raises(ValueError, match="shape"):
        mnist.pool(X[:, :100])
