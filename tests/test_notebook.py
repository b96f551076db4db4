"""The Python API as a notebook user meets it: a model defined and trained in a Jupyter
notebook, exported and rendered there, the clip shown inline. The notebook is run
headless (nbclient, on an ipykernel of this very Python) in a folder that also holds
the user's own `model.py` and `scenes.py`: nn-explainer's import names neither shadow
them nor are shadowed by them."""
from __future__ import annotations

import base64
import json
import re
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent

USER_MODEL = 'raise RuntimeError("user model.py imported")\n'
USER_SCENES = 'WHO = "the user\'s scenes.py"\n'

CELLS = [
    # The kernel is this Python (the venv's), and the notebook's folder comes first on sys.path.
    """import sys
print(sys.prefix)
import scenes                       # the user's own, beside the notebook
assert scenes.WHO == "the user's scenes.py", scenes.__file__""",
    """import torch
from torch import nn
import torch.nn.functional as F
from nn_explainer.model.mnist import load

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 16)
        self.fc2 = nn.Linear(16, 10)

    def forward(self, x):
        return self.fc2(F.relu(self.fc1(x.flatten(1))))

data = load(None)
images = data.train_images[:300].float().div(255).unsqueeze(1)
labels = data.train_labels[:300].long()
torch.manual_seed(0)
net = Net()
optimiser = torch.optim.Adam(net.parameters(), lr=1e-2)
for step in range(40):
    optimiser.zero_grad()
    loss = F.cross_entropy(net(images), labels)
    loss.backward()
    optimiser.step()
print(f"loss {loss.item():.3f}")""",
    """import nn_explainer
e = nn_explainer.export_module(net, {folder!r} + '/mine.json')
import nn_explainer.scenes as ours
assert ours.__name__ == 'nn_explainer.scenes' and scenes.WHO  # ours and the user's, apart""",
    # What the module itself says of every example the export holds, for the test to compare.
    """import numpy as np
from nn_explainer.model.schema import read_export
pixels = np.stack([example.pixels for example in read_export(e).examples])
with torch.no_grad():
    own = torch.softmax(net(torch.tensor(pixels, dtype=torch.float32).reshape(-1, 1, 28, 28)).double(), 1)
np.save({folder!r} + '/own.npy', own.numpy())""",
    """clip = nn_explainer.render('ForwardPass', export=e, quality='low', media_dir={folder!r} + '/media')
clip""",
]


def test_a_notebook_trains_exports_and_shows_its_own_network(tmp_path, monkeypatch):
    import av
    import nbformat
    from nbclient import NotebookClient

    from nn_explainer.model.schema import read_export

    (tmp_path / "model.py").write_text(USER_MODEL)
    (tmp_path / "scenes.py").write_text(USER_SCENES)
    # The kernel named python3 is this venv's (ipykernel's spec there runs sys.executable);
    # nothing is read from or written to the home folder's Jupyter and IPython settings.
    monkeypatch.setenv("JUPYTER_PATH", str(Path(sys.prefix) / "share" / "jupyter"))
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path / "runtime"))
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(cell.replace("{folder!r}", repr(str(tmp_path)))) for cell in CELLS]
    client = NotebookClient(notebook, kernel_name="python3", timeout=300,
                            resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    nbformat.write(notebook, tmp_path / "run.ipynb")  # to look at, if this fails

    first = "".join(output.get("text", "") for output in notebook.cells[0].outputs)
    assert first.split()[0] == sys.prefix, first  # this venv's Python ran it

    # The clip, inline: a <video> whose source is the mp4 itself, as long as the clip.
    results = [output for output in notebook.cells[-1].outputs if output["output_type"] == "execute_result"]
    assert len(results) == 1, notebook.cells[-1].outputs
    page = results[0]["data"]["text/html"]
    found = re.search(r'<video [^>]*src="data:video/mp4;base64,([A-Za-z0-9+/=]+)"', page)
    assert found, page[:300]
    video = base64.b64decode(found.group(1), validate=True)
    (record,) = json.loads((tmp_path / "media" / "manifest.json").read_text())["clips"]
    clip_file = REPO / record["path"]
    assert video == clip_file.read_bytes()
    shown = tmp_path / "shown.mp4"
    shown.write_bytes(video)
    with av.open(str(shown)) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264"
        seconds = float(stream.duration * stream.time_base)
        frames = sum(1 for _ in container.decode(stream))
    assert abs(seconds - record["duration"]) < 0.1, (seconds, record["duration"])
    assert frames > 15 and record["scene"] == "ForwardPass"

    # The drawn network is the notebook's: every example's output as the module's own softmax.
    export = read_export(tmp_path / "mine.json")
    assert export.source["kind"] == "module" and export.source["name"] == "Net"
    assert export.network.sizes == [784, 16, 10]
    drawn = np.stack([example.a[-1] for example in export.examples])
    own = np.load(tmp_path / "own.npy")
    assert drawn.shape == own.shape == (len(export.examples), 10)
    assert np.abs(drawn - own).max() <= 1e-5
