"""rlkit.plot: the learning curve drawn by a worker process that imported matplotlib during the run, and by
this process when that worker is gone."""

import subprocess
import sys

from rlkit.plot import PlotWorker

EPISODES = [(200, -1200.0), (400, -900.5), (600, -400.0)]
EVALS = [(300, -1000.0, 50.0), (600, -350.0, 20.0)]


def _png(data: bytes) -> bool:
    return data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 1000


def test_worker_draws_the_curve() -> None:
    worker = PlotWorker()
    png = worker.render(EPISODES, EVALS, "ddpg on Pendulum-v1 (seed 0)")
    assert worker.process.returncode == 0 and _png(png)


def test_a_dead_worker_leaves_the_drawing_to_this_process(monkeypatch) -> None:
    worker = PlotWorker()
    worker.process.kill()
    worker.process.wait()
    assert _png(worker.render(EPISODES, EVALS, "t"))


def test_worker_without_input_exits_quietly() -> None:
    """What a stopped run leaves: the worker reads end of input, draws nothing and exits 0."""
    worker = PlotWorker()
    worker.process.stdin.close()
    assert worker.process.wait(timeout=60) == 0


def test_worker_does_not_import_rlkit_or_torch() -> None:
    import rlkit.plot
    from rlkit.plot import WORKER_COMMAND

    probe = WORKER_COMMAND.replace("runpy.run_path(sys.argv[1], run_name='__main__')",
                                   "runpy.run_path(sys.argv[1]); print(sorted(m for m in sys.modules "
                                   "if m.split('.')[0] in ('rlkit', 'torch')))")
    out = subprocess.run([sys.executable, "-c", probe, rlkit.plot.__file__], capture_output=True, text=True,
                         check=True, cwd=rlkit.plot.__file__.rsplit("/", 2)[0])
    assert out.stdout.strip() == "[]"


def test_the_cli_prestarts_one_worker_for_one_run_only(monkeypatch) -> None:
    import rlkit.plot as plot

    monkeypatch.setattr(plot, "_prestarted", None)
    plot.prestart_worker(["-m", "seed=0,1"])  # a sweep: its jobs start their own workers
    assert plot._prestarted is None
    plot.prestart_worker(["agent=dqn"])
    first = plot._prestarted
    assert first is not None and plot.take_worker() is first  # the run takes the prestarted worker
    second = plot.take_worker()  # and the next run in this process starts its own
    assert second is not first
    for worker in (first, second):
        worker.close()
