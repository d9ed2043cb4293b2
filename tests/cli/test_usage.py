"""The command line as a new user meets it: usage errors, --version, -v progress, output files, LLM fallback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from emoreason.cli.app import main
from tests.io.media_factory import synth_video


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def tone_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """3.5 s, 64x48 mpeg4 + a 440 Hz AAC tone: the whole pipeline runs on it in a few seconds."""
    return synth_video(tmp_path_factory.mktemp("media") / "tone.mp4", seconds=3.5, fps=10, tone_hz=440.0)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["nosuch"], "No such command 'nosuch'"),
        (["explain", "--bogus"], "No such option: --bogus"),
        (["explain", "-f", "xml"], "'xml' is not one of 'text', 'json', 'markdown'"),
        (["probe", "a.mp4", "b.mp4"], "unexpected extra argument"),
        (["probe"], "Missing argument"),
        (["voice", "a.wav", "--vad", "nosuch"], "'nosuch' is not one of 'auto', 'silero', 'webrtc'"),
        (["faces", "a.mp4", "--max-faces", "0"], "--max-faces"),
        (["explain", "--fallback", "maybe"], "'maybe' is not one of 'none', 'template'"),
        (["eval"], "give a TASK"),
        (["-v"], "Missing command"),
    ],
    ids=["unknown-command", "unknown-option", "bad-choice", "two-files", "missing-file", "bad-vad",
         "bad-max-faces", "bad-fallback", "eval-without-task", "options-only"],
)
def test_usage_errors_are_one_line_and_exit_2(capsys: pytest.CaptureFixture[str], args: list[str], says: str) -> None:
    code, out, err = run_cli(capsys, *args)
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and says in lines[0], err
    assert "Traceback" not in err and "--help" in lines[0]


def test_bare_command_prints_the_help_on_stderr_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    """click's convention: a group called without a command is a usage error that shows the help."""
    code, out, err = run_cli(capsys)
    assert code == 2 and out == ""
    assert "Usage: emoreason" in err and "explain" in err and "Traceback" not in err


def test_help_and_version_exit_0(capsys: pytest.CaptureFixture[str]) -> None:
    from emoreason import __version__

    code, out, err = run_cli(capsys, "--version")
    assert code == 0 and out.strip() == f"emoreason {__version__}" and err == ""
    code, out, _ = run_cli(capsys, "explain", "--help")
    assert code == 0 and "--fallback" in out and "--format" in out


def test_unexpected_error_is_one_line_exit_1(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
                                             tone_clip: Path) -> None:
    import emoreason.io

    def broken(path: object) -> None:
        raise RuntimeError("boom\nsecond line")

    monkeypatch.setattr(emoreason.io, "probe", broken)
    code, out, err = run_cli(capsys, "probe", str(tone_clip))
    assert code == 1 and out == ""
    assert err.strip() == "internal error: RuntimeError: boom second line (run with --debug for the traceback)"
    with pytest.raises(RuntimeError):
        main(["--debug", "probe", str(tone_clip)])


def test_write_output_always_ends_with_a_newline(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from emoreason.cli.output import write_output

    write_output("no newline", tmp_path / "a.txt")
    write_output("one newline\n", tmp_path / "b.txt")
    write_output("stdout", None)
    assert (tmp_path / "a.txt").read_text() == "no newline\n"
    assert (tmp_path / "b.txt").read_text() == "one newline\n"
    assert capsys.readouterr().out == "stdout\n"


def test_verbose_reports_each_stage_and_files_end_with_newline(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, tone_clip: Path
) -> None:
    out_md = tmp_path / "r.md"
    code, out, err = run_cli(capsys, "-v", "explain", str(tone_clip), "-s", "I am so happy", "-f", "markdown",
                             "-o", str(out_md))
    assert code == 0 and out == "", err
    for stage in ("voice", "text", "face"):
        assert f"{stage} stage: started" in err
        assert f"{stage} stage: done in " in err
    assert "probe: tone.mp4" in err and "reasoning: done in" in err
    assert all(line.startswith("[") and " s] " in line for line in err.splitlines() if "stage:" in line)
    text = out_md.read_text()
    assert text.endswith("\n") and not text.endswith("\n\n\n") and text.startswith("# tone.mp4")
    code, _, err = run_cli(capsys, "explain", str(tone_clip), "-s", "I am so happy", "-o", str(tmp_path / "r.txt"))
    assert code == 0 and "stage: started" not in err  # progress only with -v
    assert (tmp_path / "r.txt").read_text().endswith("\n")


def test_voice_writes_text_and_json_files(capsys: pytest.CaptureFixture[str], tmp_path: Path, tone_clip: Path) -> None:
    code, out, err = run_cli(capsys, "voice", str(tone_clip), "--no-asr", "-o", str(tmp_path / "v.txt"))
    assert code == 0 and out == "", err
    text = (tmp_path / "v.txt").read_text()
    assert text.startswith(str(tone_clip)) and "VAD" in text and text.endswith("\n") and "\x1b[" not in text
    code, out, err = run_cli(capsys, "voice", str(tone_clip), "--no-asr", "-f", "json", "-o", str(tmp_path / "v.json"))
    assert code == 0 and out == "", err
    payload = json.loads((tmp_path / "v.json").read_text())
    assert payload["path"] == str(tone_clip) and payload["voice"]["duration"] > 3.0
    assert (tmp_path / "v.json").read_text().endswith("}\n")


def test_unreachable_llm_fails_unless_template_fallback(
    capsys: pytest.CaptureFixture[str], tone_clip: Path
) -> None:
    args = ["explain", str(tone_clip), "-s", "I am fine", "-r", "openai", "--base-url", "http://127.0.0.1:9/v1",
            "--model", "nobody", "--no-cache", "-f", "json"]
    code, out, err = run_cli(capsys, *args)
    assert code == 2 and out == ""
    errors = [line for line in err.strip().splitlines() if not line.startswith("WARNING ")]  # stages may warn
    assert len(errors) == 1 and errors[0].startswith("error: ") and "Traceback" not in err
    assert "127.0.0.1:9" in errors[0] and "--fallback template" in errors[0]
    code, out, err = run_cli(capsys, *args, "--fallback", "template")
    assert code == 0, err
    result = json.loads(out)
    assert result["explanation"]["writer"] == "template" and result["explanation"]["fallback_reason"]
    assert any("written by the template instead" in w for w in result["warnings"])
