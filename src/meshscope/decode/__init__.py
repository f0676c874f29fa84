"""Decoders: bytes on the wire to model values or to canonical bodies storage decodes natively. No I/O."""
