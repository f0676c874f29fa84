"""Protobuf message classes built at import from a field table: no generated code, no protoc.

For the small wire formats (remote_write, Loki push) where a ``.proto`` compiler would be one
more tool to install for a handful of fields.
"""

from __future__ import annotations

from typing import Any

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

Field = tuple[str, int, int, str]  # name, number, descriptor type, message type ("" for scalars)
TYPES = descriptor_pb2.FieldDescriptorProto


def message_classes(package: str, messages: dict[str, list[Field]],
                    repeated: frozenset[str] = frozenset()) -> dict[str, Any]:
    """One class per message; fields named ``Message.field`` in ``repeated`` (and all message
    fields unless listed as ``Message.field!``) are repeated."""
    file = descriptor_pb2.FileDescriptorProto(name=f"{package}.proto", package=package, syntax="proto3")
    for name, fields in messages.items():
        msg = file.message_type.add(name=name)
        for fname, number, ftype, ref in fields:
            many = f"{name}.{fname}" in repeated or (ftype == TYPES.TYPE_MESSAGE and f"{name}.{fname}!" not in repeated)
            field = msg.field.add(name=fname, number=number, type=ftype,
                                  label=TYPES.LABEL_REPEATED if many else TYPES.LABEL_OPTIONAL)
            if ref:
                field.type_name = f".{package}.{ref}"
    pool = descriptor_pool.DescriptorPool()
    pool.Add(file)
    return {name: message_factory.GetMessageClass(pool.FindMessageTypeByName(f"{package}.{name}"))
            for name in messages}
