#!/usr/bin/env python3
"""Turns a BERT-like encoder graph (output last_hidden_state [batch, seq, hidden]) into a cross-encoder graph:
logits [batch, 1] = last_hidden_state[:, 0, :] @ W with random W — the cost of a real reranker head on top of the encoder.

usage: add_cross_encoder_head.py IN.onnx OUT.onnx   (Debian python3-onnx, python3-numpy)
"""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def main():
    model = onnx.load(sys.argv[1])
    graph = model.graph
    hidden_out = graph.output[0]
    hidden = hidden_out.type.tensor_type.shape.dim[2].dim_value
    rng = np.random.default_rng(7)
    graph.initializer.extend([
        numpy_helper.from_array(np.array(0, dtype=np.int64), "cls_index"),
        numpy_helper.from_array((rng.standard_normal((hidden, 1)) * 0.02).astype(np.float32), "head_w"),
    ])
    graph.node.extend([
        helper.make_node("Gather", [hidden_out.name, "cls_index"], ["cls_state"], axis=1),
        helper.make_node("MatMul", ["cls_state", "head_w"], ["logits"]),
    ])
    del graph.output[:]
    graph.output.append(helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", 1]))
    onnx.checker.check_model(model)
    onnx.save(model, sys.argv[2])


if __name__ == "__main__":
    main()
