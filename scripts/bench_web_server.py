"""The processes under load in `make bench-web` and what they cost: the platform served by gunicorn
(gthread workers), the peak RSS of each of its processes (VmHWM: the kernel's own high-water mark,
so no sample is missed), and the CPU time spent during the load by the web processes, by the
benchmark database's PostgreSQL backends, by the load generator and by the whole machine."""

import ctypes
import resource
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import psutil

PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """The server gets SIGTERM if the benchmark dies before it could stop it."""
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class Server:
    def __init__(self, project: Path, *, port: int, workers: int, threads: int):
        self.url = f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen(
            [str(project / ".venv/bin/gunicorn"), "config.wsgi:application", "--pythonpath", str(project / "platform"),
             "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--threads", str(threads),
             "--worker-class", "gthread", "--log-level", "warning"],
            cwd=project, preexec_fn=_die_with_parent,
        )
        self._wait_ready()

    def _wait_ready(self, timeout: float = 60) -> None:
        """Until a worker has answered (its first request loads the URL conf and templates)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/login/", timeout=10):
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer on {self.url} within {timeout} s")

    def processes(self) -> dict[str, psutil.Process]:
        master = psutil.Process(self.process.pid)
        return {f"master {master.pid}": master} | {f"worker {child.pid}": child for child in master.children()}

    def peak_rss_mb(self) -> dict[str, float]:
        return {name: _vm_hwm_kb(process.pid) / 1024 for name, process in self.processes().items()}

    def cpu_seconds(self) -> float:
        return sum(sum(process.cpu_times()[:2]) for process in self.processes().values())

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)


def _vm_hwm_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


class CpuMeter:
    """CPU seconds spent between its creation and `stop()`. The load generator counts once it has
    ended (a waited-for child process); "machine" is everything, other people's work included."""

    def __init__(self, server: Server, database: str):
        self.server, self.database = server, database
        self.start = self._read()

    def _backends(self) -> dict[int, float]:
        """The PostgreSQL backends serving the benchmark database (the web's persistent connections)."""
        backends = {}
        for process in psutil.process_iter(["cmdline"]):
            command = " ".join(process.info["cmdline"] or [])
            if command.startswith("postgres:") and f" {self.database} " in command:
                try:
                    backends[process.pid] = sum(process.cpu_times()[:2])
                except psutil.Error:
                    continue
        return backends

    def _read(self) -> dict:
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        machine = psutil.cpu_times()
        return {
            "web": self.server.cpu_seconds(),
            "locust": children.ru_utime + children.ru_stime,
            "machine": sum(machine) - machine.idle - getattr(machine, "iowait", 0),
            "wall": time.monotonic(),
            "backends": self._backends(),
        }

    def stop(self) -> dict[str, float]:
        end = self._read()
        used = {key: end[key] - self.start[key] for key in ("web", "locust", "machine", "wall")}
        used["database"] = sum(seconds - self.start["backends"].get(pid, 0) for pid, seconds in end["backends"].items())
        return used
