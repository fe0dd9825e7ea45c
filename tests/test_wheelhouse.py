"""Installing as a city hall does: the wheel alone, and the wheelhouse with the network off.

The wheel test builds shinchoku's wheel, installs it into a fresh virtual environment (its
dependencies are the development environment's, linked by a .pth file, so that it needs no
network and stays fast) and runs the demo from another folder. The offline test installs from
dist/wheelhouse (make wheelhouse) with install.sh inside a network namespace that has no
interface but loopback; it skips, saying why, where namespaces or the wheelhouse are missing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from tools.wheelhouse import TARGETS, Target, build_wheel, missing, write_scripts

REPO = Path(__file__).resolve().parents[1]
WHEELHOUSE = REPO / "dist" / "wheelhouse"
DATA = REPO / "pipeline" / "data"
WORKBOOK = Path("デモ 出力") / "集計結果" / "集計結果_sendai-kyodo-2021_2024年度.xlsx"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_wheel(tmp_path_factory.mktemp("wheel"))


def _clean_env(home: Path, **extra: str) -> dict[str, str]:
    """No pip configuration, index or find-links of this machine; no PYTHONPATH to the source."""
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "LC_ALL", "TMPDIR")}
    return {**keep, "HOME": str(home), "PIP_CONFIG_FILE": os.devnull, **extra}


def _run(command: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, encoding="utf-8", timeout=600
    )
    assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
    assert "Traceback" not in done.stderr
    return done


def test_the_wheel_holds_every_file_a_command_reads(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    shipped = {
        p.relative_to(REPO).as_posix()
        for folder in (REPO / "pipeline", REPO / "schemas")
        for p in folder.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    assert shipped - names == set()  # bundled plans (and any added later) are package data
    extra = {n for n in names - shipped if ".dist-info/" not in n}
    assert extra == set()  # nothing stale from an earlier build
    assert "pipeline/data/sendai2021_計画マスタ.xlsx" in names


@dataclass(frozen=True)
class Installed:
    """A fresh virtual environment holding the wheel, and a folder elsewhere to work in."""

    python: Path
    shinchoku: Path
    work: Path
    env: dict[str, str]


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Installed:
    tmp = tmp_path_factory.mktemp("install")
    fresh = tmp / "新しい 環境"
    venv.EnvBuilder(with_pip=False).create(fresh)
    python = fresh / "bin" / "python"
    env = _clean_env(tmp)
    pip = [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps"]
    _run([*pip, "--no-compile", str(wheel)], tmp, env)
    where_site = "import site; print(site.getsitepackages()[0])"
    site = Path(_run([str(python), "-c", where_site], tmp, env).stdout.strip())
    dependencies = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (site / "dev_dependencies.pth").write_text("\n".join(sorted(dependencies)) + "\n")
    work = tmp / "作業 フォルダ"
    work.mkdir()
    where = _run([str(python), "-c", "import pipeline; print(pipeline.__file__)"], work, env)
    assert Path(where.stdout.strip()).is_relative_to(fresh)  # the installed copy, not the source
    return Installed(python, fresh / "bin" / "shinchoku", work, env)


def test_the_wheel_alone_runs_every_command_from_any_folder(installed: Installed) -> None:
    """The commands that read the bundled data and the dependencies (the whole demo run from the
    wheel is the install test below: `make test-install`)."""
    work, env = installed.work, installed.env
    assert "doctor" in _run([str(installed.python), "-m", "pipeline", "--help"], work, env).stdout
    listed = _run([str(installed.shinchoku), "demo", "--list"], work, env).stdout
    suffix = "_計画マスタ.xlsx"
    bundled = sorted(p.name.removesuffix(suffix) for p in DATA.glob(f"*{suffix}"))
    assert sorted(line.split("\t")[0] for line in listed.splitlines()) == bundled
    doctor = _run([str(installed.shinchoku), "doctor"], work, env)
    assert doctor.stdout.splitlines()[-1] == "問題なし"


@pytest.mark.install
def test_the_wheel_alone_runs_the_demo_from_any_folder(installed: Installed) -> None:
    """`make test-install` only (~6 s of CPU): make test checks the same files are in the wheel
    and runs the demo from the source."""
    work, env = installed.work, installed.env
    demo = _run([str(installed.shinchoku), "demo", "--out", "デモ 出力"], work, env)
    assert str(WORKBOOK) in demo.stdout and (work / WORKBOOK).stat().st_size > 10_000


def _fake_wheel(folder: Path, name: str, version: str, *requires: str) -> None:
    metadata = "".join(f"Requires-Dist: {r}\n" for r in requires)
    with zipfile.ZipFile(folder / f"{name}-{version}-py3-none-any.whl", "w") as archive:
        archive.writestr(
            f"{name}-{version}.dist-info/METADATA",
            f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n{metadata}",
        )


def test_missing_follows_each_targets_markers_not_the_hosts(tmp_path: Path) -> None:
    """pip judges markers by the machine it runs on; the closure check judges by the target."""
    _fake_wheel(tmp_path, "app", "1.0", 'winonly; platform_system == "Windows"', "lib>=2")
    _fake_wheel(tmp_path, "lib", "1.0")  # too old
    _fake_wheel(tmp_path, "py313", "1.0")
    windows = next(t for t in TARGETS if t.system == "Windows" and t.python == (3, 11))
    linux = next(t for t in TARGETS if t.system == "Linux" and t.python == (3, 11))
    assert sorted(missing(tmp_path, windows, "app")) == ["lib>=2", "winonly"]
    assert missing(tmp_path, linux, "app") == ["lib>=2"]
    _fake_wheel(tmp_path, "lib", "2.1", 'py313; python_version >= "3.13"')
    _fake_wheel(tmp_path, "winonly", "0.4")
    assert missing(tmp_path, windows, "app") == []
    assert missing(tmp_path, Target("Linux", linux.platforms, (3, 13)), "app") == []


def test_install_scripts_are_what_cmd_exe_reads(tmp_path: Path) -> None:
    write_scripts(tmp_path)
    for name in ("install.bat", "shinchoku.bat"):
        data = (tmp_path / name).read_bytes()
        text = data.decode("cp932")  # a Japanese Windows reads .bat files in cp932
        assert data.count(b"\r\n") == data.count(b"\n")  # CRLF throughout
        assert "LOCALAPPDATA" in text
    install = (tmp_path / "install.bat").read_bytes().decode("cp932")
    assert "--no-index --find-links" in install and "-m venv" in install
    assert os.access(tmp_path / "install.sh", os.X_OK)


needs_wheelhouse = pytest.mark.skipif(
    not any(WHEELHOUSE.glob("shinchoku-*.whl")),
    reason="dist/wheelhouse がありません: make wheelhouse で作成してから実行してください",
)


@needs_wheelhouse
@pytest.mark.parametrize("target", TARGETS, ids=lambda t: t.label)
def test_the_wheelhouse_holds_every_dependency_for_each_target(target: Target) -> None:
    assert missing(WHEELHOUSE, target) == []
    tag = "win_amd64" if target.system == "Windows" else "manylinux"
    python = f"cp{target.python[0]}{target.python[1]}"
    for name in ("pandas", "numpy", "python_calamine"):
        assert [p for p in WHEELHOUSE.glob(f"{name}-*-{python}-{python}-*.whl") if tag in p.name]
    assert (WHEELHOUSE / "install.bat").is_file() and (WHEELHOUSE / "shinchoku.bat").is_file()


def _offline() -> list[str] | None:
    """A prefix that runs a command with no network: a fresh network namespace."""
    if not shutil.which("unshare"):
        return None
    for prefix in (["unshare", "--net"], ["unshare", "--map-root-user", "--net"]):
        if subprocess.run([*prefix, "true"], capture_output=True).returncode == 0:
            return prefix
    return None


OFFLINE = _offline()


@needs_wheelhouse
@pytest.mark.skipif(
    OFFLINE is None, reason="ネットワーク名前空間を作れません（unshare が使えない環境）"
)
def test_offline_install_from_the_wheelhouse_alone(wheel: Path, tmp_path: Path) -> None:
    assert OFFLINE is not None
    # the wheelhouse as handed over, with this checkout's wheel and scripts
    stage = tmp_path / "配布 フォルダ"
    stage.mkdir()
    for path in WHEELHOUSE.glob("*.whl"):
        if not path.name.startswith("shinchoku-"):
            (stage / path.name).symlink_to(path)
    shutil.copy(wheel, stage)
    write_scripts(stage)
    home = tmp_path / "ユーザー フォルダ" / "shinchoku"
    env = _clean_env(tmp_path, SHINCHOKU_HOME=str(home), PIP_NO_COMPILE="1")  # saves ~15 s
    interfaces = "import socket; print(sorted(n for _, n in socket.if_nameindex()))"
    assert _run([*OFFLINE, "python3", "-c", interfaces], tmp_path, env).stdout.strip() == "['lo']"
    installed = _run([*OFFLINE, "sh", str(stage / "install.sh")], tmp_path, env)
    assert installed.stdout.splitlines()[-2] == "問題なし"  # install.sh ends with shinchoku doctor
    work = tmp_path / "作業"
    work.mkdir()
    bin_dir = home / "venv" / "bin"
    demo = _run([*OFFLINE, str(bin_dir / "shinchoku"), "demo", "--out", "デモ 出力"], work, env)
    assert str(WORKBOOK) in demo.stdout and (work / WORKBOOK).is_file()
    helped = _run([*OFFLINE, str(bin_dir / "python"), "-m", "pipeline", "--help"], work, env)
    assert "doctor" in helped.stdout
