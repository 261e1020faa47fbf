"""What the fault matrix and the soak share: a `cuecast serve` child process on a free port, and readings of it
from /proc (descriptors, resident memory) and over raw sockets."""
import os
import resource
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def binary():
    """The executable under test: $CUECAST, else the release build (built if missing)."""
    path = os.environ.get("CUECAST")
    if path:
        return os.path.abspath(path)
    path = os.path.join(ROOT, ".build/release/cuecast")
    if not os.path.exists(path):
        subprocess.run(["swift", "build", "-c", "release", "--product", "cuecast"], cwd=ROOT, check=True)
    return path


class Server:
    """A live server in a folder of its own (scenarios and public copied, so a case can edit them)."""

    def __init__(self, *args, scenarios=True, public=True, open_files=None):
        self.dir = tempfile.mkdtemp(prefix="cuecast-matrix-")
        self.scenarios = os.path.join(self.dir, "scenarios")
        self.public = os.path.join(self.dir, "public")
        os.makedirs(self.scenarios)
        if scenarios:
            shutil.copytree(os.path.join(ROOT, "scenarios"), self.scenarios, dirs_exist_ok=True)
        if public:
            shutil.copytree(os.path.join(ROOT, "public"), self.public, symlinks=True, dirs_exist_ok=True)
        self.port = free_port()
        self.log_path = os.path.join(self.dir, "server.log")
        self.log = open(self.log_path, "w")
        command = [binary(), "serve", "--port", str(self.port), "--scenarios", self.scenarios, "--public", self.public, *args]
        # open_files: the process's descriptor limit, soft and hard (as `ulimit -n` in its shell would set them).
        limit = (lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (open_files, open_files))) if open_files else None
        self.process = subprocess.Popen(command, stdout=self.log, stderr=subprocess.STDOUT, cwd=self.dir, preexec_fn=limit)
        deadline = time.time() + 20
        while time.time() < deadline:
            try:
                if self.get("/healthz", timeout=1)[0] == 200:
                    break
            except OSError:
                pass
            if self.process.poll() is not None:
                raise RuntimeError("the server exited at start-up:\n" + open(self.log_path).read())
            time.sleep(0.05)
        else:
            raise RuntimeError("the server did not answer /healthz")

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def get(self, path, timeout=5, headers=None):
        request = urllib.request.Request(self.url(path), headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def post(self, path, body=b"", content_type="text/plain", timeout=5):
        request = urllib.request.Request(self.url(path), data=body, method="POST", headers={"Content-Type": content_type})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def health_time(self):
        """Seconds /healthz takes to answer (None if it does not within 5 s)."""
        start = time.monotonic()
        try:
            status, _ = self.get("/healthz", timeout=5)
        except OSError:
            return None
        return time.monotonic() - start if status == 200 else None

    def descriptors(self):
        return len(os.listdir(f"/proc/{self.process.pid}/fd"))

    def rss_kib(self):
        with open(f"/proc/{self.process.pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    def settle_descriptors(self, target, timeout=10):
        """Waits for the descriptor count to come back to at most `target`; the count reached."""
        deadline = time.time() + timeout
        count = self.descriptors()
        while count > target and time.time() < deadline:
            time.sleep(0.1)
            count = self.descriptors()
        return count

    def stop(self, sig=signal.SIGTERM, timeout=10):
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def raw_exchange(port, data, read_for=2.0, chunk_delay=None):
    """Sends `data` on a new connection (byte by byte with `chunk_delay`); what came back before the server closed
    or `read_for` passed, and whether the server closed."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=read_for)
    try:
        if chunk_delay is None:
            sock.sendall(data)
        else:
            for byte in data:
                sock.sendall(bytes([byte]))
                time.sleep(chunk_delay)
        received = b""
        closed = False
        deadline = time.time() + read_for
        while time.time() < deadline:
            sock.settimeout(max(0.01, deadline - time.time()))
            try:
                part = sock.recv(65536)
            except socket.timeout:
                break
            except ConnectionResetError:
                closed = True
                break
            if not part:
                closed = True
                break
            received += part
        return received, closed
    finally:
        sock.close()


def status_of(response):
    """The status code of a raw HTTP/1 answer, or None."""
    try:
        return int(response.split(b" ", 2)[1])
    except (IndexError, ValueError):
        return None


def chunked_body(raw):
    """The bytes after an HTTP/1.1 response head, with chunk framing removed (up to the last chunk)."""
    _, _, rest = bytes(raw).partition(b"\r\n\r\n")
    out = bytearray()
    while rest:
        size_line, _, rest = rest.partition(b"\r\n")
        try:
            size = int(size_line, 16)
        except ValueError:
            break
        if size == 0:
            break
        out += rest[:size]
        rest = rest[size + 2:]
    return bytes(out)
