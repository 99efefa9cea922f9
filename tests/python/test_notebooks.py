"""The three notebooks of python/notebooks run top to bottom on bundled data (nbclient, Debian
python3-nbclient + python3-ipykernel); any error in any cell fails the test."""
import os

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = ["01_quantize_and_deploy", "02_prune_and_distill", "03_ci_gating"]


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs(name, root, build_dir, tmp_path):
    nb = nbformat.read(root / "python" / "notebooks" / f"{name}.ipynb", as_version=4)
    env_path = os.environ.get("PYTHONPATH", "")
    os.environ["PYTHONPATH"] = f"{build_dir / 'python'}:{env_path}" if env_path else str(
        build_dir / "python")
    client = NotebookClient(nb, timeout=900, kernel_name="python3",
                            resources={"metadata": {"path": str(root / "python" / "notebooks")}})
    client.execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    assert any(o.get("output_type") in ("display_data", "execute_result") and "image/png" in
               o.get("data", {}) for o in outputs), "no plot was drawn"
