"""download_mnist against a local HTTP server (127.0.0.1): good, corrupt, truncated and absent
files, servers that refuse or never answer. These tests never touch the internet."""

import errno
import gzip
import hashlib
import http.server
import shutil
import socket
import struct
import threading

import numpy as np
import pytest

from nnlib import mnist
from nnlib.mnist import (
    DataError,
    DownloadError,
    IDXDataset,
    IDXFile,
    download_mnist,
    load_mnist,
    read_idx,
)


def idx_file(values):
    header = struct.pack(">BBBB", 0, 0, 0x08, values.ndim)
    return header + struct.pack(f">{values.ndim}I", *values.shape) + values.tobytes()


def make_tiny_dataset():
    """Four small IDX files (gzipped), and an IDXDataset that describes them."""
    rng = np.random.default_rng(0)
    arrays = {
        "train-images-idx3-ubyte": rng.integers(0, 256, (20, 28, 28), dtype=np.uint8),
        "train-labels-idx1-ubyte": rng.integers(0, 10, 20, dtype=np.uint8),
        "t10k-images-idx3-ubyte": rng.integers(0, 256, (5, 28, 28), dtype=np.uint8),
        "t10k-labels-idx1-ubyte": rng.integers(0, 10, 5, dtype=np.uint8),
    }
    archives, files = {}, []
    for name, values in arrays.items():
        raw = idx_file(values)
        archives[f"{name}.gz"] = gzip.compress(raw, mtime=0)
        files.append(IDXFile(name, hashlib.sha256(raw).hexdigest(), len(raw),
                             hashlib.sha256(archives[f"{name}.gz"]).hexdigest()))
    return IDXDataset("Tiny", *files), archives, arrays


class Handler(http.server.BaseHTTPRequestHandler):
    """Serves ``server.files[path]``; ``server.modes[path]`` can make it misbehave."""

    def do_GET(self):  # noqa: N802 (the name http.server calls)
        self.server.hits.append(self.path)
        body = self.server.files.get(self.path)
        if body is None:
            self.send_error(404, "Not Found")
            return
        mode = self.server.modes.get(self.path.split("/")[1], "good")
        if mode == "corrupt":
            body = bytes(b ^ 0x55 if i == len(body) // 2 else b for i, b in enumerate(body))
        elif mode == "truncated":  # a mirror holding a cut copy: the length says so too
            body = body[: len(body) // 2]
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(self.server.files[self.path])
                                                if mode == "cut-connection" else len(body)))
        self.end_headers()
        if mode == "cut-connection":  # announce everything, send half, hang up
            body = body[: len(body) // 2]
        self.wfile.write(body)

    def log_message(self, *args):  # keep the test output quiet
        pass


@pytest.fixture
def server():
    """A local HTTP server with mirrors /good/, /corrupt/, /truncated/, /cut-connection/."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.files, httpd.modes, httpd.hits = {}, {}, []
    for mode in ("corrupt", "truncated", "cut-connection"):
        httpd.modes[mode] = mode
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    httpd.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.publish = lambda name, data: httpd.files.update(
        {f"/{mirror}/{name}": data for mirror in ("good", "corrupt", "truncated",
                                                   "cut-connection")})
    yield httpd
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def tiny(server):
    spec, archives, arrays = make_tiny_dataset()
    for name, data in archives.items():
        server.publish(name, data)
    return spec, arrays


def leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".part"))


def closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens there once the socket is closed


def test_good_mirror_gives_four_verified_files(server, tiny, tmp_path, capsys):
    spec, arrays = tiny
    folder = download_mnist(tmp_path / "new", dataset=spec, mirrors=[server.url + "/good/"])
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"{n}.gz" for n in arrays)
    for name, values in arrays.items():
        np.testing.assert_array_equal(read_idx(folder / f"{name}.gz"), values)
    assert capsys.readouterr().out.count("checksum OK") == 4
    hits = len(server.hits)
    download_mnist(folder, dataset=spec, mirrors=[server.url + "/good/"], progress=False)
    assert len(server.hits) == hits  # files already there and correct are not fetched again


def test_a_bad_mirror_is_skipped_for_the_next_one(server, tiny, tmp_path):
    spec, _ = tiny
    mirrors = [server.url + "/corrupt/", server.url + "/missing/", server.url + "/good/"]
    download_mnist(tmp_path, dataset=spec, mirrors=mirrors, progress=False)
    assert len(list(tmp_path.glob("*.gz"))) == 4 and leftovers(tmp_path) == []


@pytest.mark.parametrize("mode, reason", [
    ("corrupt", "fails its checksum"),
    ("truncated", "fails its checksum"),
    ("cut-connection", "transfer|connection"),
])
def test_corrupt_or_truncated_downloads_leave_no_file_behind(server, tiny, tmp_path, mode,
                                                              reason):
    spec, _ = tiny
    with pytest.raises(DownloadError, match=reason) as error:
        download_mnist(tmp_path, dataset=spec, mirrors=[f"{server.url}/{mode}/"], timeout=5)
    assert "could not download train-images-idx3-ubyte.gz of Tiny from any of 1 mirror" in str(
        error.value)
    assert list(tmp_path.iterdir()) == []  # neither the target nor a temporary .part file


def test_an_interrupted_download_leaves_no_file_behind(server, tiny, tmp_path, monkeypatch):
    """Ctrl-C (or any exception) in the middle of a transfer: no target, no .part file."""
    spec, _ = tiny
    real_copy = mnist._copy_url

    def interrupted(url, out, timeout):
        real_copy(url, out, timeout)
        assert leftovers(tmp_path) != []  # the bytes went to a temporary file ...
        raise KeyboardInterrupt

    monkeypatch.setattr(mnist, "_copy_url", interrupted)
    with pytest.raises(KeyboardInterrupt):
        download_mnist(tmp_path, dataset=spec, mirrors=[server.url + "/good/"])
    assert list(tmp_path.iterdir()) == []  # ... which is gone, and the target never appeared


def test_a_folder_we_cannot_write_to_is_reported_at_once(server, tiny, tmp_path, monkeypatch):
    spec, _ = tiny

    def read_only(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(mnist.tempfile, "mkstemp", read_only)
    with pytest.raises(DataError) as error:
        download_mnist(tmp_path, dataset=spec, mirrors=[server.url + "/good/"] * 2)
    assert str(error.value) == (f"cannot write into {tmp_path} (Permission denied); choose a "
                                "folder of yours, for example download_mnist('~/mnist')")
    assert not isinstance(error.value, DownloadError)  # not blamed on the network


def test_a_full_disk_is_not_blamed_on_the_network(server, tiny, tmp_path, monkeypatch):
    spec, _ = tiny
    real_fdopen = mnist.os.fdopen

    class FullDisk:
        def __init__(self, *args, **kwargs):
            self.file = real_fdopen(*args, **kwargs)

        def write(self, data):
            raise OSError(errno.ENOSPC, "No space left on device")

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.file.close()

    monkeypatch.setattr(mnist.os, "fdopen", FullDisk)
    with pytest.raises(DataError, match=r"\(No space left on device\); free some disk space"):
        download_mnist(tmp_path, dataset=spec, mirrors=[server.url + "/good/"] * 2)
    assert len(server.hits) == 1  # the second mirror was not tried: it would not help
    assert list(tmp_path.iterdir()) == []


def test_download_into_a_folder_under_home(server, tiny, tmp_path, monkeypatch):
    spec, _ = tiny
    monkeypatch.setenv("HOME", str(tmp_path))
    folder = download_mnist("~/data", dataset=spec, mirrors=[server.url + "/good/"],
                            progress=False)
    assert folder == tmp_path / "data" and len(list(folder.glob("*.gz"))) == 4


def test_http_404_is_reported_per_mirror(server, tiny, tmp_path):
    spec, _ = tiny
    with pytest.raises(DownloadError, match=r"(?s)/nothing/train.*HTTP 404 \(Not Found\)"):
        download_mnist(tmp_path, dataset=spec, mirrors=[server.url + "/nothing/"])


def test_no_network_gives_a_sentence_not_a_traceback(tmp_path):
    mirrors = [f"http://127.0.0.1:{closed_port()}/mnist/"]
    with pytest.raises(DownloadError) as error:
        download_mnist(tmp_path, mirrors=mirrors, timeout=2)
    message = str(error.value)
    assert "connection was refused" in message
    assert "This machine seems to have no network access." in message
    assert "load_mnist() with no path" in message  # the offline way out
    assert error.value.__cause__ is None and error.value.__suppress_context__
    assert leftovers(tmp_path) == []


def test_unresolvable_host_is_reported_as_no_network(tmp_path, monkeypatch):
    def no_dns(*args, **kwargs):
        raise socket.gaierror(-3, "Temporary failure in name resolution")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    with pytest.raises(DownloadError, match="could not be resolved.*no network"):
        download_mnist(tmp_path, mirrors=["https://mirror.invalid/mnist/"])


def test_a_server_that_never_answers_times_out(tmp_path):
    with socket.socket() as silent:  # accepts connections (backlog), never replies
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/"
        with pytest.raises(DownloadError, match=r"no answer within 0.3 s"):
            download_mnist(tmp_path, mirrors=[url], timeout=0.3)
    assert leftovers(tmp_path) == []


def test_a_damaged_file_in_the_folder_is_replaced(server, tiny, tmp_path):
    spec, arrays = tiny
    target = tmp_path / "t10k-labels-idx1-ubyte.gz"
    target.write_bytes(b"half a file")
    download_mnist(tmp_path, dataset=spec, mirrors=[server.url + "/good/"], progress=False)
    np.testing.assert_array_equal(read_idx(target), arrays["t10k-labels-idx1-ubyte"])


def test_real_mnist_configuration_end_to_end(server, tmp_path):
    """The MNIST spec, served locally from the shipped files (compressed differently from the
    public mirrors' copies, so their content checksum is what admits them)."""
    for file in mnist.MNIST.files():
        server.publish(f"{file.name}.gz", (mnist.MNIST_DIR / f"{file.name}.gz").read_bytes())
    folder = download_mnist(tmp_path, mirrors=[server.url + "/good/"], progress=False)
    X, y = load_mnist("test", path=folder)
    np.testing.assert_array_equal(y, load_mnist("test").y)
    assert X.shape == (10_000, 784)


def test_unknown_dataset_name_is_explained(tmp_path):
    with pytest.raises(ValueError, match="unknown dataset 'kmnist'; choose one of mnist, fash"):
        download_mnist(tmp_path, dataset="kmnist")


def test_default_mirrors_are_the_public_ones():
    assert any("ossci-datasets" in url for url in mnist.MNIST.mirrors)
    assert any("cvdf-datasets" in url for url in mnist.MNIST.mirrors)
    assert mnist.MNIST.train_images.archive_sha256.startswith("440fcabf73cc546f")


def test_download_folder_can_be_created_anywhere(server, tiny, tmp_path):
    spec, _ = tiny
    deep = tmp_path / "a" / "b"
    download_mnist(str(deep), dataset=spec, mirrors=[server.url + "/good"], progress=False)
    assert len(list(deep.glob("*.gz"))) == 4
    shutil.rmtree(deep)
