"""The ONNX export keeps its weights beside the graph (issue #24, cold start): ONNX Runtime
memory-maps them, so a process that asks a few questions never reads most of the 384 MB
word-embedding table. An export made before, with the weights inside the graph file, is
rewritten that way once, and gives the same vectors bit for bit."""

from __future__ import annotations

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

from qa.embed import export
from qa.embed.onnx_runtime import session_options


def table_model(folder, precision: str = "fp32") -> np.ndarray:
    """A real ONNX graph in the old layout (weights inside): token ids → rows of a 20,000 × 16
    table (a word-embedding lookup) plus a bias, as ``model-<precision>.onnx`` in ``folder``."""
    rng = np.random.default_rng(0)
    table = rng.standard_normal((20_000, 16)).astype(np.float32)
    bias = rng.standard_normal(16).astype(np.float32)
    graph = helper.make_graph(
        [
            helper.make_node("Gather", ["table", "ids"], ["rows"]),
            helper.make_node("Add", ["rows", "bias"], ["out"]),
        ],
        "lookup",
        [helper.make_tensor_value_info("ids", TensorProto.INT64, [None])],
        [helper.make_tensor_value_info("out", TensorProto.FLOAT, [None, 16])],
        [numpy_helper.from_array(table, "table"), numpy_helper.from_array(bias, "bias")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)
    onnx.save_model(model, str(export.model_file(folder, precision)))
    return table + bias


def run(folder, ids) -> np.ndarray:
    session = ort.InferenceSession(
        str(export.model_file(folder, "fp32")),
        session_options(1),
        providers=["CPUExecutionProvider"],
    )
    return session.run(None, {"ids": np.asarray(ids, dtype=np.int64)})[0]


def test_weights_move_beside_the_graph_page_aligned_with_the_same_outputs(tmp_path):
    expected = table_model(tmp_path)
    ids = [0, 7, 19_999, 12_345]
    before = run(tmp_path, ids)
    np.testing.assert_array_equal(before, expected[ids])
    assert not export.weights_mapped(tmp_path, "fp32")

    export.map_weights(tmp_path, "fp32")

    assert export.weights_mapped(tmp_path, "fp32")
    graph_file = export.model_file(tmp_path, "fp32")
    assert graph_file.stat().st_size < 10_000  # the graph alone
    stored = onnx.load(str(graph_file), load_external_data=False).graph.initializer
    outside = {t.name: {x.key: x.value for x in t.external_data} for t in stored if t.external_data}
    assert list(outside) == ["table"]  # the 64-byte bias stays in the graph
    assert outside["table"]["location"] == export.weights_file(tmp_path, "fp32").name
    assert int(outside["table"]["offset"]) % export.ALIGNMENT == 0
    np.testing.assert_array_equal(run(tmp_path, ids), before)  # bit for bit


def test_an_interrupted_rewrite_leaves_a_model_that_loads_and_is_rewritten_again(tmp_path):
    expected = table_model(tmp_path)
    # Killed after the weights file was renamed into place, before the graph was.
    export.weights_file(tmp_path, "fp32").write_bytes(b"\0" * 1000)
    assert not export.weights_mapped(tmp_path, "fp32")  # the graph file still holds them
    np.testing.assert_array_equal(run(tmp_path, [3]), expected[[3]])
    export.map_weights(tmp_path, "fp32")
    assert export.weights_mapped(tmp_path, "fp32")
    np.testing.assert_array_equal(run(tmp_path, [3]), expected[[3]])


def test_the_bundled_models_export_is_mapped(onnx_fp32_embedder):
    assert export.weights_mapped(onnx_fp32_embedder.encoder.folder, "fp32")
