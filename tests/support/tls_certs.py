"""A test CA with server and client certificates (openssl CLI), and one from a CA nobody trusts."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Pki:
    ca: Path
    server_cert: Path
    server_key: Path
    client_cert: Path
    client_key: Path
    rogue_cert: Path  # a client certificate signed by a CA the server does not know
    rogue_key: Path


def _openssl(*args: str | Path) -> None:
    subprocess.run(["openssl", *map(str, args)], check=True, capture_output=True, timeout=30)


def _leaf(d: Path, name: str, ca: str, usage: str, san: str = "") -> None:
    _openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-subj", f"/CN={name}",
             "-keyout", d / f"{name}.key", "-out", d / f"{name}.csr")
    ext = d / f"{name}.ext"
    ext.write_text(f"basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n"
                   f"extendedKeyUsage={usage}\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n"
                   + (f"subjectAltName={san}\n" if san else ""))
    _openssl("x509", "-req", "-in", d / f"{name}.csr", "-CA", d / f"{ca}.pem", "-CAkey", d / f"{ca}.key",
             "-CAcreateserial", "-days", "2", "-extfile", ext, "-out", d / f"{name}.pem")


def make_pki(d: Path) -> Pki:
    for ca in ("ca", "rogue-ca"):
        _openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                 "-days", "2", "-subj", f"/CN=meshscope test {ca}", "-keyout", d / f"{ca}.key", "-out", d / f"{ca}.pem")
    _leaf(d, "localhost", "ca", "serverAuth", "DNS:localhost,IP:127.0.0.1")
    _leaf(d, "sender", "ca", "clientAuth,serverAuth")
    _leaf(d, "rogue", "rogue-ca", "clientAuth")
    return Pki(d / "ca.pem", d / "localhost.pem", d / "localhost.key", d / "sender.pem", d / "sender.key",
               d / "rogue.pem", d / "rogue.key")
