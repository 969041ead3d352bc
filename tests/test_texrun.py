"""The TeX runner: sandboxed, reproducible, and errors come back as one parsed line."""
from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest

from builder.errors import TexError
from builder.tex.contract import marker_before
from builder.tex.run import run_pdflatex, start_pdflatex

DOC = r"""\documentclass{article}
\begin{document}
%s
\end{document}
"""


@pytest.mark.tex
def test_compiles_a_real_document():
    result = run_pdflatex(DOC % "Hello", jobname="hello")
    assert result.pdf.startswith(b"%PDF")
    assert result.passes == 1


@pytest.mark.tex
def test_identical_input_gives_byte_identical_pdf():
    assert run_pdflatex(DOC % "Same").pdf == run_pdflatex(DOC % "Same").pdf


@pytest.mark.tex
def test_reading_an_absolute_path_is_refused():
    hostname = Path("/etc/hostname")
    secret = hostname.read_text().strip() if hostname.exists() else socket.gethostname()
    with pytest.raises(TexError) as info:
        run_pdflatex(DOC % r"\input{/etc/hostname}")
    assert secret not in str(info.value)


@pytest.mark.tex
def test_reading_outside_through_dotdot_is_refused():
    with pytest.raises(TexError):
        run_pdflatex(DOC % r"\input{../../../../../../etc/hostname}")


@pytest.mark.tex
def test_shell_escape_is_off(tmp_path: Path):
    target = tmp_path / "pwned"
    result = run_pdflatex(DOC % (r"\immediate\write18{touch %s}x" % target))
    assert not target.exists()
    assert "runsystem" in result.log and "disabled" in result.log


@pytest.mark.tex
def test_writing_outside_the_build_dir_is_refused(tmp_path: Path):
    target = tmp_path / "leak.tex"
    with pytest.raises(TexError):
        run_pdflatex(DOC % (r"\newwrite\f\immediate\openout\f=%s\immediate\write\f{x}\immediate\closeout\f x" % target))
    assert not target.exists()


@pytest.mark.tex
def test_error_is_one_parsed_line_with_the_tex_line():
    tex = DOC % "ok\n\\undefinedmacro\n"
    with pytest.raises(TexError) as info:
        run_pdflatex(tex)
    err = info.value
    assert err.tex_line == 4
    assert "Undefined control sequence" in err.message
    assert "\n" not in str(err)
    assert len(str(err)) < 200


@pytest.mark.tex
def test_timeout_stops_a_looping_document():
    with pytest.raises(TexError) as info:
        run_pdflatex(DOC % r"\def\x{\x}\x", timeout=2)
    assert "did not finish within 2 s" in str(info.value)


def test_source_markers_map_a_tex_line_back():
    tex = "a\n%% fiszki-source: card 3 back line 17\nb\nc\n"
    assert marker_before(tex, 4) == "card 3 back line 17"
    assert marker_before(tex, 1) is None


# --- a job given its document piece by piece (pdflatex starts before the document is complete) ---

@pytest.mark.tex
def test_a_document_written_in_pieces_is_the_same_document():
    job = start_pdflatex(jobname="pieces")
    head, body = (DOC % "Pieces").split("\\begin{document}")
    job.write(head)
    time.sleep(0.3)  # TeX has read the head and waits for more
    job.write("\\begin{document}")
    job.write(body)
    assert job.finish().pdf == run_pdflatex(DOC % "Pieces", jobname="pieces").pdf


@pytest.mark.tex
def test_an_error_in_the_head_ends_the_job_without_waiting_for_the_rest():
    job = start_pdflatex()
    job.write("\\documentclass{article}\n\\undefinedmacro\n")
    job.write("\\begin{document}" + "x " * 200_000 + "\\end{document}\n")  # more than a pipe holds
    start = time.monotonic()
    with pytest.raises(TexError) as info:
        job.finish()
    assert info.value.tex_line == 2 and "Undefined control sequence" in info.value.message
    assert time.monotonic() - start < 10


@pytest.mark.tex
def test_text_after_the_end_of_the_document_is_not_waited_for():
    job = start_pdflatex()
    job.write(DOC % "Done")
    job.write("% after the end\n" * 100_000)
    assert job.finish().pdf.startswith(b"%PDF")


@pytest.mark.tex
def test_a_cancelled_job_leaves_no_process_and_no_files():
    job = start_pdflatex()
    job.write("\\documentclass{article}\n")
    work, process = job.work, job._proc
    job.cancel()
    assert process.poll() is not None and not work.exists()


@pytest.mark.tex
def test_a_tex_run_that_dies_says_so_without_pointing_at_a_log_nobody_keeps():
    """pdflatex killed mid-run leaves no error line: the message says what is known."""
    job = start_pdflatex(jobname="killed", head="\\documentclass{article}\\begin{document}\n")
    job._proc.kill()
    with pytest.raises(TexError) as info:
        job.finish()
    assert "stopped without an error message" in str(info.value) and ".log" not in str(info.value)
