"""The one way fiszki runs pdflatex: private directory, sandboxed, reproducible, parsed errors."""
from __future__ import annotations

import fcntl
import functools
import os
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from builder.errors import TexError, ToolchainError

# A fixed date keeps identical input byte-identical (no build time in the PDF).
DEFAULT_EPOCH = "1700000000"
DEFAULT_TIMEOUT = 120.0
MAX_PASSES = 3

# Debian packages that provide what our templates load; named in "missing" errors.
TEX_PACKAGE_HINTS = {
    "polski.sty": "texlive-lang-polish",
    "polish.ldf": "texlive-lang-polish",
    "lmodern.sty": "lmodern",
    "enumitem.sty": "texlive-latex-extra",
    "multicol.sty": "texlive-latex-base",
    "amssymb.sty": "texlive-latex-base",
    "amsmath.sty": "texlive-latex-base",
    "geometry.sty": "texlive-latex-recommended",
    "pgfplots.sty": "texlive-pictures",
    "tikz.sty": "texlive-pictures",
}
APT_PACKAGES = (
    "texlive-latex-base texlive-latex-recommended texlive-latex-extra "
    "texlive-lang-polish texlive-fonts-recommended texlive-pictures lmodern"
)


@dataclass
class TexResult:
    pdf: bytes
    log: str
    passes: int
    messages: list[str] = field(default_factory=list)  # our own \typeout lines (FISZKI ...)


def find_pdflatex() -> str:
    path = shutil.which("pdflatex")
    if not path:
        raise ToolchainError(
            "pdflatex not found. Install TeX Live: "
            f"sudo apt-get install {APT_PACKAGES}  (or run `make`, which does it for you)"
        )
    return path


def tex_environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TEXINPUTS", "TEXMF"))}
    env.update(
        openin_any="p",  # paranoid: no reading of absolute paths or ../ outside the build dir
        openout_any="p",
        shell_escape="f",
        SOURCE_DATE_EPOCH=os.environ.get("SOURCE_DATE_EPOCH", DEFAULT_EPOCH),
        FORCE_SOURCE_DATE="1",
        max_print_line="100000",  # one log line per message: our markers never wrap
        error_line="254",
        half_error_line="238",
    )
    return env


_ERROR_RE = re.compile(r"^(?:\./)?[^\s:]*\.tex:(\d+): (.*)$")
_BANG_RE = re.compile(r"^! (.*)$")
# pdfTeX's own fatal errors (e.g. a broken image) carry no .tex line, only the file they read.
_PDFTEX_RE = re.compile(r"^!pdfTeX error: \S+ \(file (?:\./)?([^)]+)\): (.*)$")
_MISSING_FILE_RE = re.compile(r"File `([^']+)' not found")


def parse_log(log: str) -> TexError:
    """The first error of a failed run, as a short message with its .tex line."""
    from builder.tex.contract import side_before

    lines = log.splitlines()
    # No error line: TeX was killed or crashed. Its last words are all there is to tell (a failed
    # build keeps no log: the output folder is left as it was).
    last = next((line.strip() for line in reversed(lines) if line.strip()), "")
    message = "pdflatex stopped without an error message" + (f" (its log ends: {last[-80:]})" if last else "")
    line_no, context = None, ""
    error_at = len(lines)
    for i, line in enumerate(lines):
        pdftex = _PDFTEX_RE.match(line)
        if pdftex:
            message = f"cannot read {pdftex.group(1)}: {pdftex.group(2)}"
            error_at = i
            break
        m = _ERROR_RE.match(line) or _BANG_RE.match(line)
        if not m:
            continue
        error_at = i
        if m.re is _ERROR_RE:
            line_no, message = int(m.group(1)), m.group(2)
        else:
            message = m.group(1)
        # The lines after the error show where TeX stopped: "l.42 \foo" then the rest.
        for follow in lines[i + 1 : i + 8]:
            if follow.startswith("l.") or follow.startswith("<"):
                context = follow.strip()
                break
        break
    missing = _MISSING_FILE_RE.search(message)
    if missing:
        name = missing.group(1)
        if name.endswith((".sty", ".cls", ".ldf", ".fd", ".def")):
            package = TEX_PACKAGE_HINTS.get(name, "that provides it (apt-file search " + name + ")")
            raise ToolchainError(f"TeX file {name} is missing: install the Debian package {package}")
    return TexError(message=message.strip(), tex_line=line_no, context=context, log=log,
                    side=side_before(lines[:error_at]))


def line_using_file(tex: str, message: str) -> int | None:
    """The first .tex line naming a file the error message names (errors without a line)."""
    for name in re.findall(r"[\w.-]+\.(?:png|jpe?g|pdf)\b", message):
        for number, line in enumerate(tex.splitlines(), 1):
            if name in line:
                return number
    return None


def _needs_rerun(log: str) -> bool:
    return "Rerun to get" in log or "Label(s) may have changed" in log


def run_pdflatex(
    tex: str,
    *,
    jobname: str = "doc",
    files: dict[str, bytes] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    max_passes: int = MAX_PASSES,
) -> TexResult:
    """Compile `tex` in a private temporary directory; return the PDF bytes and the log.

    `files` are copied next to the .tex (images the deck uses): TeX reads nothing else of ours.
    """
    return start_pdflatex(jobname=jobname, files=files, timeout=timeout, max_passes=max_passes, head=tex).finish()


def start_pdflatex(*, jobname: str = "doc", files: dict[str, bytes] | None = None, head: str = "",
                   timeout: float = DEFAULT_TIMEOUT, max_passes: int = MAX_PASSES, nice: int = 0) -> TexJob:
    """Start pdflatex now, given the document's `head`, and the rest later, piece by piece
    (`TexJob.write`). `nice` > 0 lets other work go first when the cores are busy (a run with time
    to spare)."""
    job = TexJob(jobname, files or {}, timeout, max_passes, nice)
    if head:
        job.write(head)
    return job


def cancel_jobs(jobs: Iterable[TexJob | None]) -> None:
    """Cancel each of `jobs` that exists (finished ones are already gone: cancelling is harmless)."""
    for job in jobs:
        if job:
            job.cancel()


def cancel_all() -> None:
    """Stop every pdflatex still running (Ctrl-C): threads waiting on them return at once."""
    with _LIVE_LOCK:
        live = list(_LIVE)
    cancel_jobs(live)


WORK_PREFIX = "fiszki-tex-"
_OWNER = ".owner"  # a file each run's folder holds locked while the run lives


def _hold(folder: Path) -> int:
    """Lock the folder's owner file for as long as this run lives: the lock goes with the process,
    however it ends, so a later run can tell a killed run's folder from a live one's."""
    fd = os.open(folder / (_OWNER + ".new"), os.O_CREAT | os.O_RDWR | os.O_CLOEXEC, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    os.rename(folder / (_OWNER + ".new"), folder / _OWNER)  # it appears locked: never seen unlocked
    return fd


@functools.lru_cache(maxsize=1)
def _remove_dead_runs() -> None:
    """The folders of runs that were killed outright (SIGKILL, the OOM killer) hold partial PDFs
    and the deck's text: the first run of a process removes those of this user whose owner file
    nobody holds locked any more."""
    root = Path(tempfile.gettempdir())
    try:
        folders = [f for f in root.glob(WORK_PREFIX + "*") if f.is_dir() and f.stat().st_uid == os.getuid()]
    except OSError:
        return
    for folder in folders:
        try:
            fd = os.open(folder / _OWNER, os.O_RDWR | os.O_CLOEXEC)
        except FileNotFoundError:
            continue  # a run between making its folder and locking it, or not ours to judge
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            continue  # alive
        finally:
            os.close(fd)
        shutil.rmtree(folder, ignore_errors=True)


_LIVE: set[TexJob] = set()
_LIVE_LOCK = threading.Lock()


@functools.lru_cache(maxsize=1)
def _die_with_parent() -> list[str]:
    """pdflatex reads a pipe that only this process writes: should this process be killed
    outright, pdflatex would wait on it for ever. util-linux's setpriv makes it die too (Linux)."""
    setpriv = shutil.which("setpriv")
    return [setpriv, "--pdeathsig", "KILL", "--"] if setpriv and sys.platform.startswith("linux") else []


class TexJob:
    """One sandboxed pdflatex run that starts before its document is complete.

    TeX reads `<jobname>.tex` from a named pipe: loading the format and the packages goes on while
    Python is still parsing and rendering the deck. A thread feeds the pipe, so `write` never waits
    for TeX; `finish` says the document is complete and waits for the PDF (the timeout counts from
    there). `cancel` stops TeX when the build fails before that. Either ends the job.
    """

    def __init__(self, jobname: str, files: dict[str, bytes], timeout: float, max_passes: int, nice: int = 0):
        exe = find_pdflatex()
        self.jobname, self.timeout, self.max_passes, self.nice = jobname, timeout, max_passes, nice
        self._parts: list[str] = []
        self._proc: subprocess.Popen | None = None
        self._chunks: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        self._feeder = threading.Thread(target=self._feed, name=f"tex-{jobname}", daemon=True)
        self._owner: int | None = None
        self._cancelling = threading.Lock()
        _remove_dead_runs()
        self._tmp = tempfile.TemporaryDirectory(prefix=WORK_PREFIX)
        self.work = Path(self._tmp.name)
        self._owner = _hold(self.work)
        self._pipe = self.work / f"{jobname}.tex"
        try:  # (interrupted half-way, e.g. by Ctrl-C, it leaves nothing behind)
            self.add_files(files)
            os.mkfifo(self._pipe, 0o600)  # (-no-parse-first-line below: TeX must open it only once)
            self._cmd = [*_die_with_parent(), exe, "-interaction=nonstopmode", "-halt-on-error", "-file-line-error",
                         "-no-parse-first-line", "-no-shell-escape", f"-jobname={jobname}", f"{jobname}.tex"]
            with _LIVE_LOCK:
                _LIVE.add(self)
            self._proc = self._spawn()
            self._feeder.start()
        except BaseException:
            self.cancel()
            raise

    def _spawn(self) -> subprocess.Popen:
        proc = subprocess.Popen(self._cmd, cwd=self.work, env=tex_environment(), stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if self.nice:
            try:
                os.setpriority(os.PRIO_PROCESS, proc.pid, min(19, os.getpriority(os.PRIO_PROCESS, 0) + self.nice))
            except OSError:
                pass  # only an optimisation
        return proc

    def add_files(self, files: dict[str, bytes]) -> None:
        """Files TeX will read (images, the cheat sheet's body): before the text that uses them."""
        for name, data in files.items():
            (self.work / name).write_bytes(data)

    def write(self, text: str) -> None:
        self._parts.append(text)
        self._chunks.put(text.encode("utf-8"))

    def _feed(self) -> None:
        try:
            with open(self._pipe, "wb") as pipe:  # waits until TeX opens its input
                while (chunk := self._chunks.get()) is not None:
                    pipe.write(chunk)
        except OSError:
            pass  # TeX stopped reading (an error, or cancel): finish() reads why from the log

    def _stop_feeding(self) -> None:
        """Let the feeder end even if TeX never opened the pipe (opening it ourselves lets its
        open() return; with no reader left, its next write fails)."""
        self._chunks.put(None)
        if self._feeder.is_alive():
            try:
                os.close(os.open(self._pipe, os.O_RDONLY | os.O_NONBLOCK))
            except OSError:
                pass
            self._feeder.join(timeout=5)

    def cancel(self) -> None:
        # Ctrl-C cancels every job from the main thread while each job's own thread may be
        # cancelling it too: one at a time (closing the owner file twice would close another's).
        with self._cancelling:
            if self._proc and self._proc.poll() is None:
                self._proc.kill()
                self._proc.wait()
            self._stop_feeding()
            try:
                self._tmp.cleanup()
            except OSError:  # a thread still adding files to it (Ctrl-C mid-build): remove what is left
                shutil.rmtree(self.work, ignore_errors=True)
            if self._owner is not None:
                os.close(self._owner)
                self._owner = None
        with _LIVE_LOCK:
            _LIVE.discard(self)

    def finish(self) -> TexResult:
        try:
            return self._finish()
        finally:
            self.cancel()

    def _finish(self) -> TexResult:
        self._chunks.put(None)  # the document is complete: TeX reads to its end
        tex = "".join(self._parts)
        log = ""
        for passes in range(1, self.max_passes + 1):
            try:
                self._proc.wait(timeout=self.timeout)
            except subprocess.TimeoutExpired:
                raise TexError(message=f"pdflatex did not finish within {self.timeout:g} s and was stopped") from None
            log_path = self.work / f"{self.jobname}.log"
            log = log_path.read_bytes().decode("utf-8", errors="replace") if log_path.exists() else ""
            if self._proc.returncode != 0:
                from builder.tex.contract import marker_before

                err = parse_log(log)
                err.source_marker = marker_before(tex, err.tex_line or line_using_file(tex, err.message))
                raise err
            if not _needs_rerun(log):
                break
            if passes == 1:  # a second pass reads the document from a plain file
                self._stop_feeding()
                self._pipe.unlink()
                self._pipe.write_text(tex, encoding="utf-8")
            self._proc = self._spawn()
        pdf = (self.work / f"{self.jobname}.pdf").read_bytes()
        messages = [line for line in log.splitlines() if line.startswith("FISZKI ")]
        return TexResult(pdf=pdf, log=log, passes=passes, messages=messages)


def start_jobs(names: list[str]) -> dict[str, TexJob | None]:
    """pdflatex for each of these outputs that needs it (outputs.REGISTRY), started at once: each loads its format while Python
    imports its parser and templates. Without pdflatex, none: the build says so when a compile is
    due, after the deck's own problems."""
    from builder.outputs import REGISTRY

    jobs: dict[str, TexJob | None] = {}
    try:
        for name in names:
            if REGISTRY[name].tex:
                jobs[name] = start_pdflatex(jobname=name, nice=REGISTRY[name].nice)
    except ToolchainError:
        cancel_jobs(jobs.values())
        return {}
    except BaseException:  # Ctrl-C just now: the caller never gets these to cancel
        cancel_jobs(jobs.values())
        raise
    return jobs
