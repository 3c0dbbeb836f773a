#!/usr/bin/env python3
"""Builds the small ONNX models the tests run through the real ONNX Runtime.

Each model is a real graph with deterministic weights, small enough that the tests recompute
its output in C# from the weights, which are also written as raw little-endian float32 files.

  encoder[_notype].onnx  h = tanh((E[ids] + T[type_ids] + P[pos]) @ W) * mask   -> last_hidden_state [b, s, out]
  cross_encoder.onnx     logits = (sum over unmasked positions of the encoder states) @ V   -> logits [b, 1]
  large_encoder.onnx     the encoder with a 8192 x 64 table (2 MiB), for the native-memory test

Usage: make_test_models.py OUT_DIR   (needs python3-onnx and python3-numpy)
"""
import json
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

VOCAB, HIDDEN, OUT, MAX_POS, TYPES = 128, 16, 12, 64, 2


def weights(rng, vocab, hidden, out):
    return {
        "E": rng.uniform(-1, 1, (vocab, hidden)).astype(np.float32),
        "T": rng.uniform(-0.5, 0.5, (TYPES, hidden)).astype(np.float32),
        "P": rng.uniform(-0.5, 0.5, (MAX_POS, hidden)).astype(np.float32),
        "W": (rng.uniform(-1, 1, (hidden, out)) / np.sqrt(hidden)).astype(np.float32),
        "V": rng.uniform(-1, 1, (out, 1)).astype(np.float32),
    }


def encoder_nodes(with_types):
    nodes = [
        helper.make_node("Gather", ["E", "input_ids"], ["we"], axis=0),
        helper.make_node("Shape", ["input_ids"], ["ids_shape"]),
        helper.make_node("Gather", ["ids_shape", "one"], ["seq_len"], axis=0),
        helper.make_node("Range", ["zero", "seq_len", "one"], ["pos_ids"]),
        helper.make_node("Gather", ["P", "pos_ids"], ["pe"], axis=0),
        helper.make_node("Add", ["we", "pe"], ["x0"]),
    ]
    if with_types:
        nodes += [
            helper.make_node("Gather", ["T", "token_type_ids"], ["te"], axis=0),
            helper.make_node("Add", ["x0", "te"], ["x"]),
        ]
    else:
        nodes.append(helper.make_node("Identity", ["x0"], ["x"]))
    nodes += [
        helper.make_node("MatMul", ["x", "W"], ["xw"]),
        helper.make_node("Tanh", ["xw"], ["h"]),
    ]
    return nodes


def inputs(with_types):
    names = ["input_ids", "attention_mask"] + (["token_type_ids"] if with_types else [])
    return [helper.make_tensor_value_info(n, TensorProto.INT64, ["batch", "seq"]) for n in names]


def initializers(w, with_types, extra=()):
    names = ["E", "P", "W"] + (["T"] if with_types else []) + list(extra)
    inits = [numpy_helper.from_array(w[n], n) for n in names]
    inits += [numpy_helper.from_array(np.array(0, dtype=np.int64), "zero"),
              numpy_helper.from_array(np.array(1, dtype=np.int64), "one"),
              numpy_helper.from_array(np.array([-1], dtype=np.int64), "axes_last"),
              numpy_helper.from_array(np.array([1], dtype=np.int64), "axes_seq")]
    return inits


def save(graph, path):
    model = helper.make_model(graph, producer_name="ragservice-tests", opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, path)


def encoder(w, with_types, out_dim, path):
    nodes = encoder_nodes(with_types) + [
        helper.make_node("Cast", ["attention_mask"], ["mask_f"], to=TensorProto.FLOAT),
        helper.make_node("Unsqueeze", ["mask_f", "axes_last"], ["mask3"]),
        helper.make_node("Mul", ["h", "mask3"], ["last_hidden_state"]),
    ]
    out = helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, ["batch", "seq", out_dim])
    save(helper.make_graph(nodes, "test_encoder", inputs(with_types), [out], initializers(w, with_types)), path)


def cross_encoder(w, path):
    nodes = encoder_nodes(True) + [
        helper.make_node("Cast", ["attention_mask"], ["mask_f"], to=TensorProto.FLOAT),
        helper.make_node("Unsqueeze", ["mask_f", "axes_last"], ["mask3"]),
        helper.make_node("Mul", ["h", "mask3"], ["h_masked"]),
        helper.make_node("ReduceSum", ["h_masked", "axes_seq"], ["pooled"], keepdims=0),
        helper.make_node("MatMul", ["pooled", "V"], ["logits"]),
    ]
    out = helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", 1])
    save(helper.make_graph(nodes, "test_cross_encoder", inputs(True), [out], initializers(w, True, ["V"])), path)


def main(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    w = weights(np.random.default_rng(20240611), VOCAB, HIDDEN, OUT)
    for name, array in w.items():
        array.astype("<f4").tofile(os.path.join(out_dir, f"{name}.bin"))
    encoder(w, True, OUT, os.path.join(out_dir, "encoder.onnx"))
    encoder(w, False, OUT, os.path.join(out_dir, "encoder_notype.onnx"))
    cross_encoder(w, os.path.join(out_dir, "cross_encoder.onnx"))
    large = weights(np.random.default_rng(7), 8192, 64, 32)
    encoder(large, True, 32, os.path.join(out_dir, "large_encoder.onnx"))
    with open(os.path.join(out_dir, "shapes.json"), "w") as f:
        json.dump({k: list(v.shape) for k, v in w.items()}, f)
    print(f"test models written to {out_dir}")


if __name__ == "__main__":
    main(sys.argv[1])
