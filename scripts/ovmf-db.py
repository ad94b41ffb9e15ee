#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""ovmf-db.py IN_VARS.fd OUT_VARS.fd CERT.der

Copy an OVMF variable store (an empty one: /usr/share/OVMF/OVMF_VARS_4M.fd)
adding the UEFI "db" variable holding one X.509 certificate, as the
firmware itself would have stored it after an authenticated write. No PK
is set: the firmware stays in setup mode, Secure Boot off.

Why: Linux loads the certificates of db into its .platform keyring at
boot (security/integrity/platform_certs/load_uefi.c), and Debian's kernels
carry a patch ("KEYS: Make use of platform keyring for module signature
verify") that lets that keyring verify module signatures. A module signed
with this certificate's key then has a verified signature (sig_ok) on a
stock Debian kernel, without shim or MOK enrolment: the test of what a
"signed-only" rule lets through (selftests/kabiguard/signed_test.sh).

The store's layout is edk2's (MdeModulePkg/Include/Guid/VariableFormat.h):
a firmware volume header, a variable store header, then variables with
the authenticated header, 4-byte aligned, the free space all 0xff.
"""
import struct
import sys
import uuid

AUTH_VARSTORE = uuid.UUID("aaf32c78-947b-439a-a180-2e144ec37792")
IMAGE_SECURITY_DB = uuid.UUID("d719b2cb-3d3a-4596-a3bc-dad00e67656f")
CERT_X509 = uuid.UUID("a5c059a1-94e4-4aa7-87b5-ab155c2bf072")
OWNER = uuid.UUID("6b616269-6775-6172-6474-657374303031")  # any GUID
# NON_VOLATILE | BOOTSERVICE_ACCESS | RUNTIME_ACCESS |
# TIME_BASED_AUTHENTICATED_WRITE_ACCESS, as firmware stores db.
DB_ATTRS = 0x27
VAR_ADDED = 0x3F
START_ID = 0x55AA
AUTH_HDR = struct.Struct("<HBBIQ16sIII16s")


def die(msg):
    sys.exit("ovmf-db.py: " + msg)


def sig_list(cert):
    """One EFI_SIGNATURE_LIST of one X.509 EFI_SIGNATURE_DATA."""
    data = OWNER.bytes_le + cert
    return (CERT_X509.bytes_le +
            struct.pack("<III", 28 + len(data), 0, len(data)) + data)


def main():
    if len(sys.argv) != 4:
        die("usage: ovmf-db.py IN_VARS.fd OUT_VARS.fd CERT.der")
    fd = bytearray(open(sys.argv[1], "rb").read())
    cert = open(sys.argv[3], "rb").read()
    if fd[40:44] != b"_FVH":
        die("%s: no firmware volume header" % sys.argv[1])
    vs = struct.unpack_from("<H", fd, 48)[0]
    if uuid.UUID(bytes_le=bytes(fd[vs:vs + 16])) != AUTH_VARSTORE:
        die("%s: not an authenticated variable store" % sys.argv[1])
    size = struct.unpack_from("<I", fd, vs + 16)[0]
    end = vs + size
    off = vs + 28
    while struct.unpack_from("<H", fd, off)[0] == START_ID:
        hdr = AUTH_HDR.unpack_from(fd, off)
        name = bytes(fd[off + AUTH_HDR.size:off + AUTH_HDR.size + hdr[7]])
        if hdr[1] == VAR_ADDED and name.decode("utf-16le") == "db\0":
            die("%s already has a db" % sys.argv[1])
        off = (off + AUTH_HDR.size + hdr[7] + hdr[8] + 3) & ~3
    name = "db\0".encode("utf-16le")
    data = sig_list(cert)
    # EFI_TIME: 2026-01-01 00:00:00, a time later writes must not precede.
    stamp = struct.pack("<HBBBBBBIhBB", 2026, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0)
    var = AUTH_HDR.pack(START_ID, VAR_ADDED, 0, DB_ATTRS, 0, stamp, 0,
                        len(name), len(data), IMAGE_SECURITY_DB.bytes_le)
    var += name + data
    if off + len(var) > end or any(b != 0xFF for b in fd[off:off + len(var)]):
        die("%s: no free space for db" % sys.argv[1])
    fd[off:off + len(var)] = var
    open(sys.argv[2], "wb").write(fd)


if __name__ == "__main__":
    main()
