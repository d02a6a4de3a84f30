"""The oracle of OnnxOracleTests: what the onnx package itself reads from ONNX files.

Usage: python3 onnx_dump.py FILE...   (one JSON line per file, in order)
A file ending in .pb is a TensorProto, any other file a ModelProto. Each line is the canonical view that
OnnxOracleTests.Canonical builds from CnnGen's reader: names and structure as they are, floats as the hex of their
float32 (or float64) bits, tensor values as a count and the SHA-256 of their canonical little-endian bytes. A file the
onnx package cannot read gives {"error": "..."}.
"""
import hashlib
import json
import struct
import sys

import numpy as np
import onnx
from onnx import numpy_helper, TensorProto

FLOATS = {TensorProto.FLOAT, TensorProto.FLOAT16, TensorProto.BFLOAT16}
INTS = {TensorProto.UINT8, TensorProto.INT8, TensorProto.UINT16, TensorProto.INT16, TensorProto.INT32,
        TensorProto.INT64, TensorProto.BOOL, TensorProto.UINT32, TensorProto.UINT64}


def f32(x):
    return struct.pack("<f", x).hex()


def text(b):
    return b.decode("utf-8", errors="replace") if isinstance(b, bytes) else b


def tensor(t):
    dims = list(t.dims)
    if t.data_location == TensorProto.EXTERNAL:
        data = ["external", [[e.key, e.value] for e in t.external_data]]
    elif t.data_type in FLOATS or t.data_type == TensorProto.DOUBLE or t.data_type in INTS:
        if t.data_type == TensorProto.BFLOAT16:
            # onnx 1.12's to_array has no bfloat16: the top 16 bits of a float32
            if t.HasField("raw_data"):
                bits = np.frombuffer(t.raw_data, dtype="<u2").astype(np.uint32)
            else:
                bits = np.array(t.int32_data, dtype=np.uint32) & 0xFFFF
            a = (bits << 16).view(np.float32)
        else:
            a = numpy_helper.to_array(t)
        if t.data_type in FLOATS:
            b = np.ascontiguousarray(a, dtype=np.float32).astype("<f4").tobytes()
        elif t.data_type == TensorProto.DOUBLE:
            b = np.ascontiguousarray(a, dtype=np.float64).astype("<f8").tobytes()
        else:
            b = np.ascontiguousarray(a).astype(np.int64).astype("<i8").tobytes() if a.dtype != np.uint64 \
                else np.ascontiguousarray(a).view(np.int64).astype("<i8").tobytes()
        data = [int(a.size), hashlib.sha256(b).hexdigest()]
    elif t.data_type == TensorProto.STRING:
        values = [text(s) for s in t.string_data]
        data = [len(values), hashlib.sha256("\0".join(values).encode("utf-8")).hexdigest()]
    else:
        data = ["other"]
    return [t.name, int(t.data_type), dims, data]


def value_info(v):
    kind = v.type.WhichOneof("value")
    if kind in ("tensor_type", "sparse_tensor_type"):
        tt = getattr(v.type, kind)
        dims = None
        if tt.HasField("shape"):
            dims = []
            for d in tt.shape.dim:
                which = d.WhichOneof("value")
                dims.append(d.dim_value if which == "dim_value" else "$" + d.dim_param if which == "dim_param" else "?")
        return [v.name, "tensor" if kind == "tensor_type" else "sparse", int(tt.elem_type), dims]
    names = {"sequence_type": "sequence", "map_type": "map", "optional_type": "optional", "opaque_type": "opaque", None: "none"}
    return [v.name, names[kind], 0, None]


A = onnx.AttributeProto


def attribute(a):
    if a.ref_attr_name:
        return [a.name, "unsupported"]
    t = a.type
    if t == A.UNDEFINED:
        # IR version 1 had no type field: the one value present says it (CnnGen's reader does the same)
        present = [k for k, has in ((A.FLOAT, a.HasField("f")), (A.INT, a.HasField("i")), (A.STRING, a.HasField("s")),
                                    (A.TENSOR, a.HasField("t")), (A.GRAPH, a.HasField("g")), (A.FLOATS, len(a.floats) > 0),
                                    (A.INTS, len(a.ints) > 0), (A.STRINGS, len(a.strings) > 0),
                                    (A.TENSORS, len(a.tensors) > 0), (A.GRAPHS, len(a.graphs) > 0)) if has]
        if len(present) == 1:
            t = present[0]
    if t == A.FLOAT: return [a.name, "f", f32(a.f)]
    if t == A.INT: return [a.name, "i", a.i]
    if t == A.STRING: return [a.name, "s", text(a.s)]
    if t == A.TENSOR: return [a.name, "t", tensor(a.t)]
    if t == A.GRAPH: return [a.name, "g", graph(a.g)]
    if t == A.FLOATS: return [a.name, "floats", [f32(x) for x in a.floats]]
    if t == A.INTS: return [a.name, "ints", list(a.ints)]
    if t == A.STRINGS: return [a.name, "strings", [text(s) for s in a.strings]]
    if t == A.TENSORS: return [a.name, "tensors", [tensor(x) for x in a.tensors]]
    if t == A.GRAPHS: return [a.name, "graphs", [graph(x) for x in a.graphs]]
    return [a.name, "unsupported"]


def graph(g):
    return {
        "name": g.name,
        "inputs": [value_info(v) for v in g.input],
        "outputs": [value_info(v) for v in g.output],
        "values": [value_info(v) for v in g.value_info],
        "initializers": [tensor(t) for t in g.initializer],
        "nodes": [[n.name, n.op_type, n.domain, list(n.input), list(n.output), [attribute(a) for a in n.attribute]] for n in g.node],
    }


def model(m):
    return {
        "ir": m.ir_version,
        "producer": [m.producer_name, m.producer_version],
        "opsets": [[o.domain, o.version] for o in m.opset_import],
        "graph": graph(m.graph),
    }


for path in sys.argv[1:]:
    try:
        with open(path, "rb") as f:
            data = f.read()
        if path.endswith(".pb"):
            t = TensorProto()
            t.ParseFromString(data)
            out = {"tensor": tensor(t)}
        else:
            m = onnx.ModelProto()
            m.ParseFromString(data)
            out = model(m)
    except Exception as e:  # the reader under test must then fail too, or the file is outside this oracle
        out = {"error": type(e).__name__ + ": " + str(e)}
    print(json.dumps(out, ensure_ascii=True))
