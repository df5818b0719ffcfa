"""Several real app processes on one PostgreSQL, started as ``scripts/start`` starts one (``streamlit run
server.py`` with its options), and nginx in front of them with the configuration ``docs/deploy.md`` shows
(``deploy/nginx.conf``). For the scale-out tests."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from e2e_support import ROOT

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
NGINX_CONF = ROOT / "deploy" / "nginx.conf"
#: The upstreams and the listening port as written in deploy/nginx.conf; the test puts its own in their place.
CONF_APPS = ("127.0.0.1:8501", "127.0.0.1:8502")
CONF_LISTEN = "listen 8080;"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(url: str, alive, what: str, timeout: float = 120) -> None:
    """Wait until ``url``/_stcore/health answers "ok" (the health check a load balancer uses)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                if answer.status == 200 and answer.read().strip() == b"ok":
                    return
        except OSError:
            pass
        if not alive() or time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not become healthy")
        time.sleep(0.3)


@dataclass
class AppProcess:
    """One ``streamlit run server.py`` with the deployment's shared settings (``env``) on its own port."""

    name: str
    port: int
    env: dict
    log_dir: Path
    process: subprocess.Popen | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> AppProcess:
        log = open(self.log_dir / f"app-{self.name}.log", "a")  # noqa: SIM115 - the child keeps it
        self.process = subprocess.Popen(
            [
                sys.executable, "-m", "streamlit", "run", str(ROOT / "server.py"),
                "--server.headless=true", "--server.address=127.0.0.1", f"--server.port={self.port}",
                "--browser.gatherUsageStats=false", "--server.fileWatcherType=none",
                "--client.showErrorDetails=type",
            ],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        log.close()
        return self

    def wait(self) -> AppProcess:
        wait_healthy(self.url, lambda: self.process.poll() is None, f"app process {self.name} ({self.log_tail()})")
        return self

    def kill(self) -> None:
        """End it as a crash would (SIGKILL: no shutdown, open WebSockets cut)."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=15)

    def log_tail(self) -> str:
        path = self.log_dir / f"app-{self.name}.log"
        return path.read_text(errors="replace")[-2000:] if path.exists() else ""


def deployment_env(database_url: str, scenarios: Path, data: Path) -> dict:
    """What every app process of one deployment shares (docs/deploy.md): the database, the case folder, the
    data folder, and the reverse proxy it trusts."""
    return {
        **os.environ,
        "REPLYCOACH_DATABASE_URL": database_url,
        "REPLYCOACH_SCENARIOS_DIR": str(scenarios),
        "REPLYCOACH_DATA_DIR": str(data),
        "REPLYCOACH_TRUSTED_PROXIES": "127.0.0.1",
        "REPLYCOACH_LLM": "off",
        "HF_HUB_OFFLINE": "1",
    }


def replycoach(env: dict, *args: str) -> str:
    """The ``replycoach`` command line, as a deployer runs it (e.g. the migrations, once)."""
    done = subprocess.run(
        [sys.executable, "-m", "replycoach.cli", *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    if done.returncode != 0:
        raise RuntimeError(f"replycoach {' '.join(args)} failed: {done.stdout}\n{done.stderr}")
    return done.stdout


@dataclass
class Nginx:
    """nginx from the system, running ``deploy/nginx.conf`` with the test's ports and a private prefix."""

    port: int
    prefix: Path
    process: subprocess.Popen | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def access_log(self) -> Path:
        return self.prefix / "access.log"

    def start(self, apps: list[AppProcess]) -> Nginx:
        conf = NGINX_CONF.read_text(encoding="utf-8")
        for placeholder, app in zip(CONF_APPS, apps, strict=True):
            assert placeholder in conf, placeholder
            conf = conf.replace(placeholder, f"127.0.0.1:{app.port}")
        assert CONF_LISTEN in conf
        conf = conf.replace(CONF_LISTEN, f"listen 127.0.0.1:{self.port};")
        # The test also logs which browser each request came from, to check that each stays on one process.
        conf = conf.replace("upstream=$upstream_addr';", "upstream=$upstream_addr browser=$cookie_replycoach_browser';")
        # Paths the example puts under /var and /run go to the test's own folder.
        conf = conf.replace("/var/log/nginx/replycoach-access.log", str(self.access_log))
        conf = conf.replace("/var/log/nginx/replycoach-error.log", str(self.prefix / "error.log"))
        conf = conf.replace("/run/nginx-replycoach.pid", str(self.prefix / "nginx.pid"))
        for temp in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (self.prefix / temp).mkdir(parents=True, exist_ok=True)
        conf = conf.replace("http {", "http {\n" + "".join(
            f"    {temp}_temp_path {self.prefix / temp};\n" for temp in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        ), 1)  # fmt: skip
        if os.geteuid() == 0:  # workers run as the user that owns the test's files
            conf = "user root;\n" + conf
        path = self.prefix / "nginx.conf"
        path.write_text(conf, encoding="utf-8")
        command = [NGINX, "-p", str(self.prefix), "-e", str(self.prefix / "error.log"), "-c", str(path)]
        check = subprocess.run([*command, "-t"], capture_output=True, text=True)
        if check.returncode != 0:
            raise RuntimeError(f"nginx -t: {check.stderr}")
        self.process = subprocess.Popen([*command, "-g", "daemon off;"], stderr=subprocess.DEVNULL)
        wait_healthy(self.url, lambda: self.process.poll() is None, "nginx", timeout=30)
        return self

    def health(self) -> int:
        """The status of the health check through the proxy."""
        with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=10) as answer:
            return answer.status

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)  # graceful: finish the open requests
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
