"""Cut a TFLite model into the part between chosen tensors, without rewriting its contents.

Some of mediapipe's models contain custom operators that ``ai-edge-litert`` cannot run
(mediapipe registers them in its own runtime). The pieces between those operators are
ordinary TFLite graphs: :func:`cut` returns a new model whose single subgraph has the
given input and output tensors and only the operators needed to compute the outputs from
the inputs; the caller runs the custom steps itself in between.

How, in FlatBuffers terms: every offset in a FlatBuffer points *forward* and is relative
to where it is stored, so a block of an existing buffer stays valid wherever it is moved
as a whole. The new model is a small header — a new ``Model`` table and a new ``SubGraph``
table with new ``inputs``, ``outputs`` and ``operators`` vectors — placed *before* an
untouched copy of the original buffer; the new tables point forward into that copy for
the tensors, operators, operator codes, buffers (weights) and metadata they reuse.
Signature definitions are dropped (they name the original inputs and outputs).
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass

#: Field slots of the TFLite schema tables used here (schema.fbs order).
_MODEL_FIELDS = 8  # version, operator_codes, subgraphs, description, buffers, metadata_buffer, metadata, signature_defs
_MODEL_VERSION, _MODEL_OPCODES, _MODEL_SUBGRAPHS, _MODEL_SIGNATURES = 0, 1, 2, 7
_SUBGRAPH_TENSORS, _SUBGRAPH_INPUTS, _SUBGRAPH_OUTPUTS, _SUBGRAPH_OPERATORS, _SUBGRAPH_NAME = 0, 1, 2, 3, 4
_OPERATOR_OPCODE, _OPERATOR_INPUTS, _OPERATOR_OUTPUTS, _OPERATOR_CUSTOM_OPTIONS = 0, 1, 2, 5
_TENSOR_NAME = 3
_OPCODE_DEPRECATED, _OPCODE_CUSTOM, _OPCODE_BUILTIN = 0, 1, 3
#: Builtin code 32 is CUSTOM in the TFLite schema.
_BUILTIN_CUSTOM = 32
_ALIGN = 16


class ModelFormatError(ValueError):
    """The bytes are not a TFLite model this module can read, or the cut is impossible."""


def _u32(buf: bytes, pos: int) -> int:
    return struct.unpack_from("<I", buf, pos)[0]


def _field(buf: bytes, table: int, slot: int) -> int | None:
    """Absolute position of field `slot` of the table at `table`, or None when absent."""
    vtable = table - struct.unpack_from("<i", buf, table)[0]
    vt_size = struct.unpack_from("<H", buf, vtable)[0]
    if 4 + 2 * slot >= vt_size:
        return None
    offset = struct.unpack_from("<H", buf, vtable + 4 + 2 * slot)[0]
    return table + offset if offset else None


def _target(buf: bytes, table: int, slot: int) -> int | None:
    """Absolute position of what offset field `slot` points to, or None when absent."""
    pos = _field(buf, table, slot)
    return None if pos is None else pos + _u32(buf, pos)


def _vector(buf: bytes, pos: int | None) -> list[int]:
    """Elements of a vector of offsets (absolute target positions)."""
    if pos is None:
        return []
    n = _u32(buf, pos)
    return [pos + 4 + 4 * i + _u32(buf, pos + 4 + 4 * i) for i in range(n)]


def _ints(buf: bytes, pos: int | None) -> list[int]:
    if pos is None:
        return []
    n = _u32(buf, pos)
    return list(struct.unpack_from(f"<{n}i", buf, pos + 4))


def _string(buf: bytes, pos: int | None) -> str:
    if pos is None:
        return ""
    n = _u32(buf, pos)
    return bytes(buf[pos + 4 : pos + 4 + n]).decode("utf-8", "replace")


@dataclass(frozen=True)
class Operator:
    """One operator of the (first) subgraph."""

    position: int
    code: str
    inputs: tuple[int, ...]
    outputs: tuple[int, ...]
    custom_options: bytes


class TFLiteGraph:
    """Read-only view of a TFLite model's first subgraph: tensor names and operators."""

    def __init__(self, data: bytes) -> None:
        if len(data) < 8 or data[4:8] != b"TFL3":
            raise ModelFormatError("not a TFLite FlatBuffer (no TFL3 identifier)")
        self.data = bytes(data)
        buf = self.data
        self.root = _u32(buf, 0)
        subgraphs = _vector(buf, _target(buf, self.root, _MODEL_SUBGRAPHS))
        if not subgraphs:
            raise ModelFormatError("the model has no subgraph")
        self.subgraph = subgraphs[0]
        self.tensors = _vector(buf, _target(buf, self.subgraph, _SUBGRAPH_TENSORS))
        self.names = [_string(buf, _target(buf, t, _TENSOR_NAME)) for t in self.tensors]
        self.index = {name: i for i, name in enumerate(self.names)}
        self.inputs = _ints(buf, _target(buf, self.subgraph, _SUBGRAPH_INPUTS))
        self.outputs = _ints(buf, _target(buf, self.subgraph, _SUBGRAPH_OUTPUTS))
        codes = [self._opcode_name(p) for p in _vector(buf, _target(buf, self.root, _MODEL_OPCODES))]
        operators = _vector(buf, _target(buf, self.subgraph, _SUBGRAPH_OPERATORS))
        self.operators = [self._operator(p, codes) for p in operators]

    def _opcode_name(self, pos: int) -> str:
        buf = self.data
        custom = _target(buf, pos, _OPCODE_CUSTOM)
        if custom is not None:
            return _string(buf, custom)
        builtin = _field(buf, pos, _OPCODE_BUILTIN)
        deprecated = _field(buf, pos, _OPCODE_DEPRECATED)
        code = max(
            struct.unpack_from("<i", buf, builtin)[0] if builtin is not None else 0,
            struct.unpack_from("<b", buf, deprecated)[0] if deprecated is not None else 0,
        )
        return f"builtin:{code}"

    def _operator(self, pos: int, codes: list[str]) -> Operator:
        buf = self.data
        opcode = _field(buf, pos, _OPERATOR_OPCODE)
        index = _u32(buf, opcode) if opcode is not None else 0
        options = _target(buf, pos, _OPERATOR_CUSTOM_OPTIONS)  # [ubyte]
        custom = b"" if options is None else bytes(buf[options + 4 : options + 4 + _u32(buf, options)])
        return Operator(
            position=pos,
            code=codes[index],
            inputs=tuple(_ints(buf, _target(buf, pos, _OPERATOR_INPUTS))),
            outputs=tuple(_ints(buf, _target(buf, pos, _OPERATOR_OUTPUTS))),
            custom_options=custom,
        )

    def tensor(self, name: str) -> int:
        """Index of the tensor called `name`."""
        try:
            return self.index[name]
        except KeyError:
            raise ModelFormatError(f"no tensor named {name!r} in the model") from None

    def producer(self, tensor: int) -> Operator | None:
        """The operator that writes `tensor` (None for inputs and constants)."""
        return next((op for op in self.operators if tensor in op.outputs), None)

    def cut(self, inputs: Sequence[str], outputs: Sequence[str]) -> bytes:
        """A model computing `outputs` from `inputs` (tensor names), with only the operators needed.

        Raises:
            ModelFormatError: an output depends on a tensor that is neither produced inside the
                cut nor a constant (an input was left out), or needs a custom operator.
        """
        ins = [self.tensor(n) for n in inputs]
        outs = [self.tensor(n) for n in outputs]
        producers = {t: k for k, op in enumerate(self.operators) for t in op.outputs}
        needed: set[int] = set()
        stack = [t for t in outs if t not in ins]
        seen: set[int] = set(ins)
        while stack:
            t = stack.pop()
            if t in seen or t < 0:
                continue
            seen.add(t)
            k = producers.get(t)
            if k is None:
                if t in self.inputs:
                    raise ModelFormatError(f"{self.names[t]!r} is needed but not among the cut's inputs")
                continue  # a constant
            op = self.operators[k]
            if not op.code.startswith("builtin:") or op.code == f"builtin:{_BUILTIN_CUSTOM}":
                raise ModelFormatError(f"the cut needs the custom operator {op.code!r} (for {self.names[t]!r})")
            needed.add(k)
            stack.extend(op.inputs)
        operators = [self.operators[k].position for k in sorted(needed)]
        return self._rebuild(ins, outs, operators)

    def _rebuild(self, inputs: list[int], outputs: list[int], operators: list[int]) -> bytes:
        """New Model + SubGraph tables in front of the untouched old buffer (see module doc)."""
        old, root, sub = self.data, self.root, self.subgraph
        dropped = (_MODEL_SUBGRAPHS, _MODEL_SIGNATURES)
        model_keep = {slot: _field(old, root, slot) for slot in range(_MODEL_FIELDS) if slot not in dropped}
        tensors_vec = _target(old, sub, _SUBGRAPH_TENSORS)
        name_str = _target(old, sub, _SUBGRAPH_NAME)

        # Header layout (positions relative to the new buffer's start; every offset points forward):
        #   0 root offset, 4 "TFL3", model vtable, model table, subgraphs vector, subgraph vtable,
        #   subgraph table, inputs vector, outputs vector, operators vector, padding, old buffer.
        model_vt = 8
        model_vt_size = 4 + 2 * _MODEL_FIELDS
        model_tab = _align(model_vt + model_vt_size, 4)
        model_tab_size = 4 + 4 * _MODEL_FIELDS
        subs_vec = model_tab + model_tab_size
        sub_vt = subs_vec + 8
        sub_vt_size = 4 + 2 * 5
        sub_tab = _align(sub_vt + sub_vt_size, 4)
        sub_tab_size = 4 + 4 * 5
        in_vec = sub_tab + sub_tab_size
        out_vec = in_vec + 4 + 4 * len(inputs)
        ops_vec = out_vec + 4 + 4 * len(outputs)
        shift = _align(ops_vec + 4 + 4 * len(operators), _ALIGN)

        head = bytearray(shift)
        struct.pack_into("<I", head, 0, model_tab)
        head[4:8] = b"TFL3"

        def offset_to(field_pos: int, target: int) -> None:
            struct.pack_into("<I", head, field_pos, target - field_pos)

        # Model: vtable, then table (version scalar copied, offsets re-aimed at the old block).
        struct.pack_into("<HH", head, model_vt, model_vt_size, model_tab_size)
        struct.pack_into("<i", head, model_tab, model_tab - model_vt)
        for slot in range(_MODEL_FIELDS):
            pos = model_tab + 4 + 4 * slot
            if slot == _MODEL_SUBGRAPHS:
                offset_to(pos, subs_vec)
            elif slot == _MODEL_VERSION and model_keep.get(slot) is not None:
                struct.pack_into("<I", head, pos, _u32(old, model_keep[slot]))
            elif model_keep.get(slot) is not None:
                offset_to(pos, model_keep[slot] + _u32(old, model_keep[slot]) + shift)
            else:
                continue
            struct.pack_into("<H", head, model_vt + 4 + 2 * slot, pos - model_tab)

        # SubGraph: tensors and name reused; inputs, outputs and operators new.
        struct.pack_into("<HH", head, sub_vt, sub_vt_size, sub_tab_size)
        struct.pack_into("<i", head, sub_tab, sub_tab - sub_vt)
        targets = {
            _SUBGRAPH_TENSORS: None if tensors_vec is None else tensors_vec + shift,
            _SUBGRAPH_INPUTS: in_vec,
            _SUBGRAPH_OUTPUTS: out_vec,
            _SUBGRAPH_OPERATORS: ops_vec,
            _SUBGRAPH_NAME: None if name_str is None else name_str + shift,
        }
        for slot, target in targets.items():
            if target is None:
                continue
            pos = sub_tab + 4 + 4 * slot
            offset_to(pos, target)
            struct.pack_into("<H", head, sub_vt + 4 + 2 * slot, pos - sub_tab)

        struct.pack_into("<I", head, subs_vec, 1)
        offset_to(subs_vec + 4, sub_tab)
        for vec, values in ((in_vec, inputs), (out_vec, outputs)):
            struct.pack_into(f"<I{len(values)}i", head, vec, len(values), *values)
        struct.pack_into("<I", head, ops_vec, len(operators))
        for i, op in enumerate(operators):
            offset_to(ops_vec + 4 + 4 * i, op + shift)
        return bytes(head) + old


def _align(n: int, to: int) -> int:
    return (n + to - 1) // to * to
