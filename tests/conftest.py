import os

os.environ.setdefault("MPLBACKEND", "Agg")


import pytest  # noqa: E402


@pytest.fixture(scope="module")
def torch_one_thread():
    """One torch thread per pytest worker: small problems, and CI runs two workers on two cores
    (torch's default threads then spin against each other, up to 50x slower)."""
    torch = pytest.importorskip("torch")
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
