"""make wheelhouse: everything a closed-network PC needs to install shinchoku, in one folder.

dist/wheelhouse/ receives shinchoku's wheel, the wheels of every dependency for each TARGET
(Windows and Linux, CPython 3.11-3.13; binary wheels only, nothing is built on the user's PC),
install.bat / shinchoku.bat (cp932, CRLF: what cmd.exe reads on a Japanese Windows) and
install.sh. pip evaluates environment markers against the machine it runs on, not the
--platform it downloads for, so a dependency needed only on Windows (colorama for click) would
be missed: every target's closure is walked here with the target's own markers, and what is
missing is downloaded by name. `missing()` is what the tests check.

    python tools/wheelhouse.py [--out dist/wheelhouse]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from email.parser import HeaderParser
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.tags import Tag, compatible_tags, cpython_tags
from packaging.utils import canonicalize_name, parse_wheel_filename

ROOT = Path(__file__).resolve().parent.parent
INSTALLER = Path(__file__).resolve().parent / "installer"
LINUX = ("manylinux_2_28_x86_64", "manylinux_2_17_x86_64", "manylinux2014_x86_64")


@dataclass(frozen=True)
class Target:
    system: str  # Windows / Linux
    platforms: tuple[str, ...]  # pip --platform values, preferred first
    python: tuple[int, int]

    @property
    def interpreter(self) -> str:
        """The CPython tag of wheels for this target, e.g. cp311."""
        return f"cp{self.python[0]}{self.python[1]}"

    @property
    def label(self) -> str:
        return f"{self.system} {self.interpreter}"

    def tags(self) -> set[Tag]:
        interpreter = self.interpreter
        platforms = [*self.platforms, *(_older_manylinux(self.platforms))]
        return {
            *cpython_tags(self.python, abis=[interpreter, "abi3", "none"], platforms=platforms),
            *compatible_tags(self.python, interpreter, platforms),
        }

    def markers(self) -> dict[str, str]:
        version = f"{self.python[0]}.{self.python[1]}"
        environment = dict(default_environment())
        environment.update(
            python_version=version,
            python_full_version=f"{version}.0",
            implementation_name="cpython",
            platform_python_implementation="CPython",
            extra="",
        )
        if self.system == "Windows":
            environment.update(
                sys_platform="win32",
                platform_system="Windows",
                os_name="nt",
                platform_machine="AMD64",
            )
        else:
            environment.update(
                sys_platform="linux",
                platform_system="Linux",
                os_name="posix",
                platform_machine="x86_64",
            )
        return environment


TARGETS = tuple(
    Target(system, platforms, python)
    for system, platforms in (("Windows", ("win_amd64",)), ("Linux", LINUX))
    for python in ((3, 11), (3, 12), (3, 13))
)


def _older_manylinux(platforms: Iterable[str]) -> list[str]:
    """manylinux_2_28 also runs wheels for any older glibc (2_17 … 2_27)."""
    older = []
    for platform in platforms:
        if platform.startswith("manylinux_2_"):
            newest = int(platform.split("_")[2])
            older += [f"manylinux_2_{minor}_x86_64" for minor in range(newest, 4, -1)]
            older += ["manylinux2014_x86_64", "manylinux2010_x86_64", "manylinux1_x86_64"]
    return older


def _wheels(folder: Path) -> dict[str, list[Path]]:
    by_name: dict[str, list[Path]] = {}
    for path in sorted(folder.glob("*.whl")):
        by_name.setdefault(canonicalize_name(parse_wheel_filename(path.name)[0]), []).append(path)
    return by_name


def _requires(wheel: Path) -> list[Requirement]:
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        headers = HeaderParser().parsestr(archive.read(name).decode("utf-8"))
    return [Requirement(text) for text in headers.get_all("Requires-Dist") or []]


def missing(folder: Path, target: Target, root: str = "shinchoku") -> list[str]:
    """Requirements of `root` (transitively, with `target`'s markers) that no wheel in `folder`
    satisfies for `target`; [] means pip can install from the folder alone on that target."""
    wheels, tags = _wheels(folder), target.tags()
    environment = target.markers()
    wanted, seen, lacking = [Requirement(root)], set(), []
    while wanted:
        requirement = wanted.pop()
        name = canonicalize_name(requirement.name)
        if (name, str(requirement.specifier)) in seen:
            continue
        seen.add((name, str(requirement.specifier)))
        found = [
            wheel
            for wheel in wheels.get(name, [])
            if requirement.specifier.contains(parse_wheel_filename(wheel.name)[1], prereleases=True)
            and tags & set(parse_wheel_filename(wheel.name)[3])
        ]
        if not found:  # without its marker: pip would judge it by the host, not the target
            extras = f"[{','.join(sorted(requirement.extras))}]" if requirement.extras else ""
            lacking.append(f"{requirement.name}{extras}{requirement.specifier}")
            continue
        for sub in _requires(found[-1]):
            extras = [*requirement.extras] or [""]
            if sub.marker is None or any(
                sub.marker.evaluate({**environment, "extra": extra}) for extra in extras
            ):
                wanted.append(sub)
    return lacking


def _pip(*args: str | Path) -> None:
    subprocess.run([sys.executable, "-m", "pip", *map(str, args)], check=True)


def _download(target: Target, out: Path, requirements: list[str]) -> None:
    platforms = [arg for p in target.platforms for arg in ("--platform", p)]
    version = f"{target.python[0]}.{target.python[1]}"
    _pip(
        "download",
        "--quiet",
        "--only-binary=:all:",
        *platforms,
        "--python-version",
        version,
        "--implementation",
        "cp",
        "--abi",
        target.interpreter,
        "--dest",
        str(out),
        "--find-links",
        str(out),
        *requirements,
    )


def write_scripts(out: Path) -> None:
    """install.bat and shinchoku.bat as cmd.exe reads them on a Japanese Windows (cp932,
    CRLF); install.sh as a POSIX shell reads it."""
    for name in ("install.bat", "shinchoku.bat"):
        text = (INSTALLER / name).read_text(encoding="utf-8")
        (out / name).write_bytes(text.replace("\r\n", "\n").replace("\n", "\r\n").encode("cp932"))
    script = out / "install.sh"
    shutil.copyfile(INSTALLER / "install.sh", script)
    script.chmod(0o755)


def build_wheel(out: Path) -> Path:
    """shinchoku's own wheel from this checkout (any older one in `out` is removed)."""
    for old in out.glob("shinchoku-*.whl"):
        old.unlink()
    shutil.rmtree(ROOT / "build", ignore_errors=True)  # setuptools keeps removed modules there
    try:
        _pip("wheel", "--quiet", "--no-deps", "--no-build-isolation", "--wheel-dir", str(out), ROOT)
    finally:
        shutil.rmtree(ROOT / "build", ignore_errors=True)
    return next(out.glob("shinchoku-*.whl"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "dist" / "wheelhouse")
    out: Path = parser.parse_args().out
    out.mkdir(parents=True, exist_ok=True)
    wheel = build_wheel(out)
    for target in TARGETS:
        print(f"{target.label}: downloading", flush=True)
        _download(target, out, [str(wheel)])
        for _ in range(5):  # what the host's markers hid from pip, by name, until closed
            lacking = missing(out, target)
            if not lacking:
                break
            print(f"{target.label}: also {', '.join(lacking)}", flush=True)
            _download(target, out, lacking)
        if lacking := missing(out, target):
            print(f"{target.label}: still missing {lacking}", file=sys.stderr)
            return 1
    write_scripts(out)
    count = len(list(out.glob("*.whl")))
    size = sum(p.stat().st_size for p in out.iterdir()) / 2**20
    print(f"{out}: {count} wheels, {size:.0f} MB, install.bat / shinchoku.bat / install.sh")
    return 0


if __name__ == "__main__":
    sys.exit(main())
