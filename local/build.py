"""The Lambda artifacts as ``sam build`` ships them, with bytecode compiled for the runtime.

    python -m local.build --out .local/build [--python python3.13] [--offline]
    python -m local.build --compile .aws-sam/build      # after `sam build` (what `make build` runs)

``sam build`` installs the layer's requirements and copies the sources, but ships no ``.pyc``:
Lambda's file system is read-only, so every cold start compiled every module it imported again
(~250 ms of the custom channel's init, issue 10). ``compile_tree`` compiles them with the
runtime's Python (``python3.13``; bytecode is version-specific, so nothing is compiled when that
interpreter is missing) in ``unchecked-hash`` mode: zip archives keep modification times at
2-second resolution, so timestamp-checked ``.pyc`` files would be judged stale and ignored.

``build`` makes an equivalent layout for tests and benchmarks: ``layer/python`` (what Lambda mounts
at ``/opt/python``) and ``functions/<name>`` (``/var/task``). Dependencies come from pip with
the runtime's Python, or, ``offline``, are copied from this interpreter's installed distributions
(the same pinned versions, resolved through their metadata). Packages the runtime lacks
(``awscrt``, pyOpenSSL) are never copied: code must not come to depend on them.
"""

from __future__ import annotations

import argparse
import glob
import re
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from local.stack import REPO_ROOT

RUNTIME = "python3.13"
LAYER_REQUIREMENTS = Path("layers/engagement/requirements.txt")
RUNTIME_LACKS = frozenset({"awscrt", "pyopenssl"})


def runtime_python() -> str | None:
    """The Lambda runtime's interpreter (python3.13) if this machine has one that runs."""
    candidates = [
        shutil.which(RUNTIME),
        *sorted(glob.glob(str(Path.home() / ".pyenv/versions/3.13*/bin/python3.13"))),
    ]
    for candidate in filter(None, candidates):
        if subprocess.run([candidate, "-c", "pass"], capture_output=True).returncode == 0:
            return candidate
    return None


def compile_tree(root: Path, python: str) -> None:
    """Compile every module under ``root`` for ``python``, as the runtime will load it."""
    subprocess.run(
        [python, "-m", "compileall", "-q", "-j", "0", "--invalidation-mode", "unchecked-hash", str(root)],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def _requirement_names(requirements: Path) -> list[str]:
    names = []
    for line in requirements.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            names.append(re.split(r"[\[=<>!~; ]", line, maxsplit=1)[0])
    return names


def _closure(names: list[str]) -> list[metadata.Distribution]:
    """The installed distributions ``names`` need, transitively (extras named in the file included)."""
    seen: dict[str, metadata.Distribution] = {}
    pending = list(names)
    while pending:
        name = re.sub(r"[-_.]+", "-", pending.pop()).lower()
        if name in seen or name in RUNTIME_LACKS:
            continue
        dist = metadata.distribution(name)
        seen[name] = dist
        for requirement in dist.requires or []:
            spec, _, marker = requirement.partition(";")
            if "extra ==" in marker and "tracer" not in marker:
                continue  # only the extras the layer asks for ([tracer])
            if marker.strip() and "extra ==" not in marker and not _marker_holds(marker):
                continue
            pending.append(re.split(r"[\[=<>!~ (]", spec.strip(), maxsplit=1)[0])
    return list(seen.values())


def _marker_holds(marker: str) -> bool:
    from packaging.markers import Marker

    return Marker(marker).evaluate()


def copy_installed(target: Path, requirements: Path) -> None:
    """``pip install --target`` without a network: copy the installed files of the requirements."""
    for dist in _closure(_requirement_names(requirements)):
        for file in dist.files or []:
            source = Path(dist.locate_file(file))
            if file.parts[0] in ("..", "bin") or "__pycache__" in file.parts or not source.is_file():
                continue
            destination = target / file
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination)


def pip_install(target: Path, python: str, *args: str) -> None:
    """``pip install --target`` with ``python`` (quiet; pip's output only when it fails)."""
    command = [python, "-m", "pip", "install", "--quiet", "--no-compile", "--target", str(target), *args]
    out = subprocess.run(command, capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"pip install {' '.join(args)} failed:\n{out.stderr[-3000:]}")


def build(
    out: Path,
    *,
    source_root: Path = REPO_ROOT,
    python: str | None = None,
    offline: bool = False,
    compiled: bool = True,
) -> Path:
    """``out/layer/python`` and ``out/functions/<name>``, from the sources under ``source_root``."""
    if out.exists():
        shutil.rmtree(out)
    site = out / "layer" / "python"
    site.mkdir(parents=True)
    requirements = source_root / LAYER_REQUIREMENTS
    if offline:
        copy_installed(site, requirements)
    else:
        pip_install(site, python or sys.executable, "-r", str(requirements))
    shutil.copytree(source_root / "layers/engagement/engagement", site / "engagement", ignore=_NO_CACHE)
    for function in sorted((source_root / "functions").iterdir()):
        if (function / "app.py").is_file():
            shutil.copytree(function, out / "functions" / function.name, ignore=_NO_CACHE)
    if compiled:
        compile_tree(out, python or sys.executable)
    return out


_NO_CACHE = shutil.ignore_patterns("__pycache__", "*.pyc")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compile", type=Path, metavar="DIR", help="only compile DIR (e.g. .aws-sam/build)")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / ".local" / "build")
    parser.add_argument(
        "--python", default=None, help=f"interpreter to build for (default: {RUNTIME} if present)"
    )
    parser.add_argument("--offline", action="store_true", help="copy this interpreter's packages, no pip")
    args = parser.parse_args(argv)
    python = args.python or runtime_python()
    if args.compile:
        if python is None:
            print(f"no {RUNTIME} on this machine: {args.compile} ships without bytecode (slower cold starts)")
            return 0
        compile_tree(args.compile, python)
        print(f"compiled {args.compile} for {python}")
        return 0
    out = build(args.out, python=python or sys.executable, offline=args.offline)
    print(f"built {out} for {python or sys.executable}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
