"""rlkit.bench.nn: the benchmark runs end to end and rewrites only its own section of the markdown file."""

from rlkit.bench import nn as bench


def test_write_section_replaces_only_its_own_section(tmp_path) -> None:
    path = tmp_path / "benchmarks.md"
    path.write_text(f"# Benchmarks\n\n## Learning\n\nscores\n\n{bench.SECTION}\n\nold table\n\n"
                    "## Loop\n\nloop\n")
    bench.write_section(path, "new table")
    bench.write_section(path, "new table")  # idempotent
    text = path.read_text()
    assert "old table" not in text and text.count("new table") == 1
    assert text.index("## Learning") < text.index(bench.SECTION) < text.index("## Loop")
    assert "scores" in text and "loop" in text


def test_write_section_creates_the_file(tmp_path) -> None:
    path = tmp_path / "docs" / "benchmarks.md"
    bench.write_section(path, "table")
    assert path.read_text() == f"# Benchmarks\n\n{bench.SECTION}\n\ntable\n"


def test_main_runs_a_tiny_benchmark(tmp_path, capsys) -> None:
    out = tmp_path / "benchmarks.md"
    bench.main(["--cases", "minatar", "--repeats", "2", "--min-time", "0.001", "--output", str(out)])
    printed = capsys.readouterr().out
    assert "minatar CNN" in printed and "ratio" in printed
    assert bench.SECTION in out.read_text() and "| minatar CNN" in out.read_text()
