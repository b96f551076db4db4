"""Clips of different networks never overwrite each other: a clip's name says which
network it draws (publish/requests.py, RenderRequest.network), ours keeping its
names, and the slides and the gallery take each network's own clips."""
from __future__ import annotations

import json
import shutil

import torch
from torch import nn

import nn_explainer
from nn_explainer.model import paths
from nn_explainer.publish.assemble import beat_requests
from nn_explainer.publish.batch import is_current
from nn_explainer.publish.gallery import write_gallery
from nn_explainer.publish.requests import RenderRequest
from nn_explainer.publish.slides import default_out


def test_each_network_has_its_own_clip_names(tmp_path):
    ours = RenderRequest("ForwardPass")
    assert ours.clip_path() == paths.MEDIA_DIR / "clips/low/ForwardPass.mp4"
    assert RenderRequest("ForwardPass", export=paths.DEFAULT_EXPORT).clip_path() == ours.clip_path()
    imported = RenderRequest("ForwardPass", export=paths.ASSETS / "imported" / "mlp.json")
    assert imported.clip_path().name == "ForwardPass_net-mlp.mp4"
    relu = RenderRequest("ForwardPass", export=paths.RELU_EXPORT, digit="test:0")
    assert relu.clip_path().name == "ForwardPass_net-network-relu_test-0.mp4"
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    one, two = (RenderRequest("ForwardPass", export=tmp_path / f / "mlp.json") for f in "ab")
    assert one.clip_path() != two.clip_path() and one.clip_path().name.startswith("ForwardPass_net-mlp-")


def test_two_networks_render_side_by_side(tmp_path):
    torch.manual_seed(0)
    net = nn.Sequential(nn.Flatten(), nn.Linear(784, 16), nn.Sigmoid(), nn.Linear(16, 10))
    torch.save(net.state_dict(), tmp_path / "mlp.pt")
    export = nn_explainer.import_file(tmp_path / "mlp.pt", tmp_path / "mlp.json", activation="sigmoid",
                                      outputs="logits", normalize=(0, 1))
    media = tmp_path / "media"
    ours = nn_explainer.render("ForwardPass", media_dir=media)
    sidecar = json.loads((media / "clips/low/ForwardPass.mp4.json").read_text())
    theirs = nn_explainer.render("ForwardPass", export=export, media_dir=media)
    assert ours.path == media / "clips/low/ForwardPass.mp4" and theirs.path != ours.path
    assert ours.path.exists() and theirs.path.exists()
    assert ours.path.read_bytes() != theirs.path.read_bytes()
    assert json.loads((media / "clips/low/ForwardPass.mp4.json").read_text()) == sidecar   # ours left alone
    assert is_current(RenderRequest("ForwardPass", media_dir=media))      # not re-rendered by the next command
    record = json.loads(theirs.path.with_name(theirs.path.name + ".json").read_text())
    assert record["network"] == RenderRequest("ForwardPass", export=export).network() and sidecar["network"] is None
    page = write_gallery(media).read_text()
    assert f"network {record['network']}" in page and page.count("<figure>") == 2


def test_a_chapters_slides_take_the_networks_clips(tmp_path):
    export = tmp_path / "relu.json"
    shutil.copy(paths.RELU_EXPORT, export)
    beats = beat_requests(RenderRequest("Chapter", export=export, media_dir=tmp_path))
    network = RenderRequest("Chapter", export=export).network()
    assert beats and all(f"_net-{network}" in beat.clip_path().name for beat in beats)
    assert default_out(tmp_path, "Chapter", network) == tmp_path / "slides" / f"Chapter_net-{network}"
    assert default_out(tmp_path, "Chapter") == tmp_path / "slides" / "Chapter"   # ours keeps its folder
