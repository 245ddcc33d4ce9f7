#!/usr/bin/env python3
"""Known-answer vectors for Draaischijf's own cryptographic constructions.

What it computes: from fixed inputs (seeds, ids, times, texts, all written into the output),
the bytes docs/PROTOCOL.md defines for
  - key_id (1.6) and the domain-separated Ed25519 signature sign(domain, m) (1.7);
  - hub receipt v2 (8.4): encoding and signature;
  - members hash and mailbox-epoch certificate v2 (5): encoding, signature, certificate hash,
    for epochs 0 and 1 of one mailbox (epoch 1 linked to epoch 0);
  - the epoch seed KDF (6.1): mailbox secret and public key, chain key;
  - a previous-seed box (6.3) and a seed box (6.2), with fixed nonce and ephemeral key;
  - device certificate (4): encoding and signature;
  - second approval (7.12): encoding and signature (the content hash is an input here), and
    the approval content hash of a draft with an attachment;
  - admin action statement (7.13): body hash, encoding and signature;
  - organisation pupil key, pupil salt and pseudonym (7.14), and a pupil key box;
  - envelope hash (8.3) over the bytes of tests/vectors/envelope/v2-referral-with-attachment;
  - a complete envelope v3 (7.1-7.8 with the age layer of 3): key commitment, header MAC,
    STREAM payload, inner part, signature over outer digest and inner root, carrying the
    pupil binding, an attachment descriptor and a second approval; all randomness fixed;
  - the outcome the verification rules of 1.7 give for each C2SP CCTV Ed25519 edge-case vector
    (tests/vectors/ed25519), decided by a small pure-Python Ed25519 verifier written from those
    rules and cross-checked against PyNaCl, written to ed25519_cctv_expected.txt.

It is written from the text of docs/PROTOCOL.md only (layout tables, 1.6-1.8), with PyNaCl
(libsodium bindings: Ed25519, X25519, sealed box, ChaCha20- and XChaCha20-Poly1305) and Python's hashlib /
hmac (BLAKE2b, HMAC-SHA-256). It does not use or mirror the C++ code.

Output: tests/vectors/kat/protocol_kat.txt, one `name = value` per line ('#' starts a comment).
Values are lower-case hex unless the name ends in `_text` (printable text, taken as is) or in
`_int` (a decimal integer). Everything is deterministic: the sealed boxes and the envelope
take their "random" values (ephemeral keys, nonces, file key) from fixed labels too, so a rerun
gives the same files byte for byte.

Rerun (Debian: apt-get install python3-nacl), from the repository root:
    python3 tests/vectors/kat/make_vectors.py
then commit the changed output files. The C++ test is tests/vectors/kat_vectors_test.cpp.
"""

import base64
import hashlib
import hmac
import json
import os
import struct
import sys

import nacl.bindings as sodium
import nacl.public
import nacl.signing

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", "..", ".."))

out_lines = []


def emit(name, value):
    if isinstance(value, (bytes, bytearray)):
        value = bytes(value).hex()
    elif isinstance(value, int):
        assert name.endswith("_int"), name
        value = str(value)
    else:
        assert name.endswith("_text"), name
        assert all(0x20 <= ord(c) for c in value) and "\n" not in value
    out_lines.append(f"{name} = {value}")


def comment(text):
    out_lines.append("")
    out_lines.append(f"# {text}")


def fixed(label, n):
    """Deterministic test input: the first n bytes of SHA-512("draaischijf-kat/" + label)."""
    return hashlib.sha512(b"draaischijf-kat/" + label.encode()).digest()[:n]


# -- Field writers (1.1): big-endian integers, bytes8 with a u8 length -------------------------
def u8(v):
    return struct.pack(">B", v)


def u16(v):
    return struct.pack(">H", v)


def u32(v):
    return struct.pack(">I", v)


def u64(v):
    return struct.pack(">Q", v)


def ascii8(text):
    b = text.encode("ascii")
    assert len(b) <= 255 and all(0x20 <= c <= 0x7E for c in b)
    return u8(len(b)) + b


# -- 1.6 hashes, 1.7 signatures -----------------------------------------------------------------
def blake2b_256(data, key=b""):
    return hashlib.blake2b(data, digest_size=32, key=key).digest()


def hash256(domain, *parts):
    return blake2b_256(domain.encode("ascii") + b"\x00" + b"".join(parts))


def key_id(pk):
    return hash256("draaischijf/key-id/v1", pk)


def sign(seed, domain, m):
    return nacl.signing.SigningKey(seed).sign(domain.encode("ascii") + b"\x00" + m).signature


def public_of(seed):
    return bytes(nacl.signing.SigningKey(seed).verify_key)


def verify(pk, domain, m, sig):
    nacl.signing.VerifyKey(pk).verify(domain.encode("ascii") + b"\x00" + m, sig)


# -- 1.5 HKDF-SHA-256 (RFC 5869), empty salt = 32 zero bytes ------------------------------------
def hkdf_sha256(ikm, info, length, salt=b""):
    if not salt:
        salt = b"\x00" * 32
    prk = hmac.new(salt, ikm, hashlib.sha256).digest()
    okm, block, counter = b"", b"", 1
    while len(okm) < length:
        block = hmac.new(prk, block + info + bytes([counter]), hashlib.sha256).digest()
        okm += block
        counter += 1
    return okm[:length]


# -- 6.1 KDF: crypto_kdf_derive_from_key as written out in the protocol -------------------------
def kdf(seed, subkey_id):
    return hashlib.blake2b(
        b"",
        digest_size=32,
        key=seed,
        salt=struct.pack("<Q", subkey_id) + b"\x00" * 8,
        person=b"DRSJmbx1" + b"\x00" * 8,
    ).digest()


def x25519_base(scalar):
    return sodium.crypto_scalarmult_base(scalar)


def sealed_box(plaintext, recipient_pk, ephemeral_secret):
    """crypto_box_seal as 6.2 spells it out, with a fixed ephemeral key so the output is fixed:
    epk ‖ crypto_box_easy(plaintext, nonce = BLAKE2b-192(epk ‖ recipient pk), esk, recipient pk)."""
    epk = x25519_base(ephemeral_secret)
    nonce = hashlib.blake2b(epk + recipient_pk, digest_size=24).digest()
    return epk + sodium.crypto_box(plaintext, nonce, recipient_pk, ephemeral_secret)


# ===============================================================================================
org_seed = fixed("organisation signing seed", 32)
org_pk = public_of(org_seed)
hub_seed = fixed("hub signing seed", 32)
hub_pk = public_of(hub_seed)
device_seed = fixed("device signing seed", 32)
device_pk = public_of(device_seed)
device_x25519_secret = fixed("device x25519 secret", 32)
device_x25519_pk = x25519_base(device_x25519_secret)
org_id = fixed("organisation id", 16)
device_id = fixed("device id", 16)

comment("1.6 key_id and 1.7 sign(domain, m)")
emit("org.seed", org_seed)
emit("org.public_key", org_pk)
emit("org.key_id", key_id(org_pk))
emit("hub.seed", hub_seed)
emit("hub.public_key", hub_pk)
emit("hub.key_id", key_id(hub_pk))
sig_domain = "draaischijf/kat-test/v1"
sig_message = fixed("signature message", 40)
emit("sign.domain_text", sig_domain)
emit("sign.message", sig_message)
emit("sign.signature", sign(org_seed, sig_domain, sig_message))
# A signature over the same message under another domain, to show the domain is bound.
emit("sign.other_domain_text", "draaischijf/kat-test/v2")
emit("sign.other_signature", sign(org_seed, "draaischijf/kat-test/v2", sig_message))
hash_parts = [fixed("hash part 1", 7), fixed("hash part 2", 33)]
emit("hash256.domain_text", "draaischijf/kat-hash/v1")
emit("hash256.part1", hash_parts[0])
emit("hash256.part2", hash_parts[1])
emit("hash256.hash", hash256("draaischijf/kat-hash/v1", *hash_parts))

# -- 8.3 envelope hash --------------------------------------------------------------------------
comment("8.3 envelope hash over tests/vectors/envelope/v2-referral-with-attachment")
with open(os.path.join(REPO, "tests", "vectors", "envelope", "v2-referral-with-attachment"), "rb") as f:
    envelope_bytes = f.read()
emit("envelope_hash.file_text", "tests/vectors/envelope/v2-referral-with-attachment")
emit("envelope_hash.hash", hash256("draaischijf/envelope-hash/v1", envelope_bytes))

# -- 8.4 receipt v2 -----------------------------------------------------------------------------
comment("8.4 hub receipt v2: two decisions, the second with two approvers")
r_message_id = fixed("receipt message id", 16)
r_envelope_hash = hash256("draaischijf/envelope-hash/v1", envelope_bytes)
r_received = 1_800_000_123_456
r_sequence = 4242
r_rule_set = "2026-12-01"
r_decisions = [
    (fixed("receipt mailbox 0", 16), "R06", "rule:R06", []),
    (
        fixed("receipt mailbox 1", 16),
        "R03,R05",
        "consent:" + fixed("consent id", 16).hex(),
        [fixed("approver staff 0", 16), fixed("approver staff 1", 16)],
    ),
]
decisions = ascii8(r_rule_set) + u8(len(r_decisions))
for mailbox, rules, basis, approvers in r_decisions:
    decisions += mailbox + ascii8(rules) + ascii8(basis) + u8(len(approvers)) + b"".join(approvers)
receipt_signed = (
    b"DRRC" + u8(2) + r_message_id + r_envelope_hash + u64(r_received) + u64(r_sequence)
    + decisions + key_id(hub_pk)
)
receipt = receipt_signed + sign(hub_seed, "draaischijf/receipt/v2", receipt_signed)
assert 186 <= len(receipt) <= 8711
emit("receipt.message_id", r_message_id)
emit("receipt.envelope_hash", r_envelope_hash)
emit("receipt.received_at_ms_int", r_received)
emit("receipt.sequence_int", r_sequence)
emit("receipt.rule_set_version_text", r_rule_set)
emit("receipt.decision_count_int", len(r_decisions))
for i, (mailbox, rules, basis, approvers) in enumerate(r_decisions):
    emit(f"receipt.decision{i}.mailbox_id", mailbox)
    emit(f"receipt.decision{i}.rule_ids_text", rules)
    emit(f"receipt.decision{i}.legal_basis_text", basis)
    emit(f"receipt.decision{i}.approver_count_int", len(approvers))
    for j, a in enumerate(approvers):
        emit(f"receipt.decision{i}.approver{j}", a)
emit("receipt.decisions", decisions)
emit("receipt.encoded", receipt)

# -- 5 members hash, 6.1 KDF, 5 epoch certificate v2 --------------------------------------------
comment("5 members hash: device ids listed here unsorted; the hash is over them sorted")
members = [fixed("member device 2", 16), device_id, fixed("member device 1", 16)]
for i, m in enumerate(members):
    emit(f"members.device{i}", m)
members_hash = hash256("draaischijf/members/v1", *sorted(members))
emit("members.hash", members_hash)

comment("6.1 KDF(s, id) for the seeds of epoch 0 and epoch 1")
seeds = [fixed("epoch seed 0", 32), fixed("epoch seed 1", 32)]
for n, s in enumerate(seeds):
    emit(f"epoch{n}.seed", s)
    emit(f"epoch{n}.mailbox_secret", kdf(s, 1))
    emit(f"epoch{n}.mailbox_public_key", x25519_base(kdf(s, 1)))
    emit(f"epoch{n}.chain_key", kdf(s, 2))

comment("5 mailbox-epoch certificate v2, epochs 0 and 1 of one mailbox (function 3 = clb_psycholoog)")
mailbox_id = fixed("mailbox id", 16)
emit("epoch.mailbox_id", mailbox_id)
emit("epoch.org_id", org_id)
emit("epoch.function_int", 3)
previous = b"\x00" * 32
for n, s in enumerate(seeds):
    not_before = 1_790_000_000 + n * 1000
    not_after = not_before + 300 + 90 * 86400
    signed = (
        b"DREC" + u8(2) + mailbox_id + org_id + u32(n) + u8(3) + x25519_base(kdf(s, 1))
        + members_hash + previous + u64(not_before) + u64(not_after) + key_id(org_pk)
    )
    assert len(signed) == 186
    cert = signed + sign(org_seed, "draaischijf/epoch-certificate/v2", signed)
    assert len(cert) == 250
    emit(f"epoch{n}.previous_certificate_hash", previous)
    emit(f"epoch{n}.not_before_int", not_before)
    emit(f"epoch{n}.not_after_int", not_after)
    emit(f"epoch{n}.certificate", cert)
    previous = hash256("draaischijf/epoch-certificate-hash/v1", cert)
    emit(f"epoch{n}.certificate_hash", previous)

comment("6.3 previous-seed box of epoch 1 (seals the seed of epoch 0), fixed nonce")
ps_nonce = fixed("previous seed nonce", 24)
ps_ad = b"draaischijf/previous-seed/v1" + mailbox_id + u32(1)
assert len(ps_ad) == 48
ps_box = ps_nonce + sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(
    seeds[0], ps_ad, ps_nonce, kdf(seeds[1], 2)
)
assert len(ps_box) == 72
emit("previous_seed.box", ps_box)

comment("6.2 seed box of epoch 1 for the device's X25519 key (sealed box with a fixed ephemeral key)")
emit("device.x25519_secret", device_x25519_secret)
emit("device.x25519_public_key", device_x25519_pk)
seed_box = sealed_box(seeds[1] + mailbox_id + u32(1), device_x25519_pk, fixed("seed box ephemeral", 32))
# PyNaCl's own crypto_box_seal_open must open the box built from the text of 6.2.
assert nacl.public.SealedBox(nacl.public.PrivateKey(device_x25519_secret)).decrypt(seed_box) == (
    seeds[1] + mailbox_id + u32(1))
assert len(seed_box) == 100
emit("seed_box.box", seed_box)

# -- 4 device certificate -----------------------------------------------------------------------
comment("4 device certificate: organisation type 1 (clb), role 3 (clb_psycholoog)")
staff_id = fixed("staff id", 16)
dc_not_before, dc_not_after = 1_780_000_000, 1_811_536_000
dc_signed = (
    b"DRDC" + u8(1) + org_id + u8(1) + device_id + staff_id + u8(3) + device_pk + device_x25519_pk
    + u64(dc_not_before) + u64(dc_not_after) + key_id(org_pk)
)
assert len(dc_signed) == 167
device_cert = dc_signed + sign(org_seed, "draaischijf/device-certificate/v1", dc_signed)
assert len(device_cert) == 231
emit("device.seed", device_seed)
emit("device.public_key", device_pk)
emit("device.org_id", org_id)
emit("device.org_type_int", 1)
emit("device.device_id", device_id)
emit("device.staff_id", staff_id)
emit("device.role_int", 3)
emit("device.not_before_int", dc_not_before)
emit("device.not_after_int", dc_not_after)
emit("device.certificate", device_cert)

# -- 7.14 pupil key, salt, pseudonym ------------------------------------------------------------
comment("7.14 organisation pupil key (from org.seed), salt and pseudonym of one reference")
pupil_key = hkdf_sha256(org_seed, b"draaischijf/pupil-key/v1", 32)
reference = "Dossier 2026/0417 \u00e9l\u00e8ve"  # display-safe UTF-8, not ASCII only
ref_bytes = reference.encode("utf-8")
pupil_salt = blake2b_256(b"draaischijf/pupil-salt/v1" + ref_bytes, key=pupil_key)
pseudonym = hash256("draaischijf/pupil-pseudonym/v1", pupil_salt, ref_bytes)
emit("pupil.key", pupil_key)
emit("pupil.reference", ref_bytes)
emit("pupil.salt", pupil_salt)
emit("pupil.pseudonym", pseudonym)

comment("7.14 pupil key box for the device (fixed ephemeral key; signature over org id, device id, box)")
pk_sealed = sealed_box(pupil_key, device_x25519_pk, fixed("pupil key box ephemeral", 32))
assert len(pk_sealed) == 80
pupil_box = pk_sealed + sign(org_seed, "draaischijf/pupil-key-box/v1", org_id + device_id + pk_sealed)
assert len(pupil_box) == 144
emit("pupil_key_box.box", pupil_box)

# -- 7.12 second approval -----------------------------------------------------------------------
comment("7.12 second approval by the device above: doorverwijzing (kind 3, purpose 2), two mailboxes")
ap_id = fixed("approval id", 16)
ap_message_id = fixed("approval message id", 16)
ap_kind, ap_purpose = 3, 2
ap_categories = 1 << 7
ap_attestations = (1 << 0) | (1 << 5) | (1 << 24)
ap_consent = fixed("approval consent", 16)
ap_content_hash = fixed("approval content hash", 32)
ap_created = 1_800_000_000_000
ap_recipients = [fixed("approval mailbox b", 16), fixed("approval mailbox a", 16)]
ap_signed = (
    b"DRAP" + u8(1) + ap_id + ap_message_id + org_id + u16(ap_kind) + u16(ap_purpose)
    + u32(ap_categories) + u32(ap_attestations) + ap_consent + pseudonym + ap_content_hash
    + u64(ap_created) + device_cert + u8(len(ap_recipients)) + b"".join(sorted(ap_recipients))
)
assert len(ap_signed) == 385 + 16 * len(ap_recipients)
approval = ap_signed + sign(device_seed, "draaischijf/approval/v1", ap_signed)
assert len(approval) == 449 + 16 * len(ap_recipients)
emit("approval.approval_id", ap_id)
emit("approval.message_id", ap_message_id)
emit("approval.kind_int", ap_kind)
emit("approval.purpose_int", ap_purpose)
emit("approval.categories_int", ap_categories)
emit("approval.attestations_int", ap_attestations)
emit("approval.consent_reference", ap_consent)
emit("approval.content_hash", ap_content_hash)
emit("approval.created_at_ms_int", ap_created)
for i, m in enumerate(ap_recipients):
    emit(f"approval.recipient{i}", m)
emit("approval.encoded", approval)

# -- 7.12 approval content hash ----------------------------------------------------------------
comment("7.12 approval content hash: two fragments, one attachment reference among them, one attachment")
ATTACHMENT_REF = "application/vnd.draaischijf.attachment-ref"
ch_thread = fixed("content thread id", 16)
ch_previous = fixed("content previous hash", 32)
ch_attachment_id = fixed("content attachment id", 16)
# (category bit, guidance domain, media type, body); the reference sits between the others
ch_fragments = [
    (7, 4, "text/plain; charset=utf-8", "Leerling toont angst op school.".encode()),
    (8, 0, ATTACHMENT_REF, ch_attachment_id),
    (10, 1, "text/markdown", b""),
]
ch_attachment = (fixed("content plaintext hash", 32), "application/pdf", "verslag \u00e9\u00e9n.pdf")


def counted(b):
    return u64(len(b)) + b


ch_others = [f for f in ch_fragments if f[2] != ATTACHMENT_REF]
ch_bytes = ch_thread + ch_previous + u64(len(ch_others))
for category, domain, media, body in ch_others:
    ch_bytes += u8(category) + u8(domain) + counted(media.encode("ascii")) + counted(body)
ref_category = next(f[0] for f in ch_fragments if f[2] == ATTACHMENT_REF and f[3] == ch_attachment_id)
ch_bytes += u64(1) + u8(ref_category) + ch_attachment[0]
ch_bytes += counted(ch_attachment[1].encode("ascii")) + counted(ch_attachment[2].encode("utf-8"))
emit("content.thread_id", ch_thread)
emit("content.previous_hash", ch_previous)
emit("content.fragment_count_int", len(ch_fragments))
for i, (category, domain, media, body) in enumerate(ch_fragments):
    emit(f"content.fragment{i}.category_int", category)
    emit(f"content.fragment{i}.domain_int", domain)
    emit(f"content.fragment{i}.media_type_text", media)
    emit(f"content.fragment{i}.body", body)
emit("content.attachment.id", ch_attachment_id)
emit("content.attachment.plaintext_hash", ch_attachment[0])
emit("content.attachment.media_type_text", ch_attachment[1])
emit("content.attachment.file_name", ch_attachment[2].encode("utf-8"))
emit("content.hash", hash256("draaischijf/approval-content/v2", ch_bytes))

# -- 7.13 admin action --------------------------------------------------------------------------
comment("7.13 admin action: rotate mailbox (3)")
aa_body = b'{"kat":"an admin request body"}'
aa_body_hash = hash256("draaischijf admin action body v1", aa_body)
aa_at = 1_800_000_000_777
aa_nonce = fixed("admin nonce", 16)
aa_statement = b"DRAA" + u8(1) + org_id + u8(3) + mailbox_id + aa_body_hash + u64(aa_at) + aa_nonce
assert len(aa_statement) == 94
emit("admin.body", aa_body)
emit("admin.body_hash", aa_body_hash)
emit("admin.action_int", 3)
emit("admin.target", mailbox_id)
emit("admin.at_ms_int", aa_at)
emit("admin.nonce", aa_nonce)
emit("admin.statement", aa_statement)
emit("admin.signature", sign(org_seed, "draaischijf/admin-action/v1", aa_statement))

# -- 7 envelope v3, 3 age, 7.3 key commitment, 7.8 signature ------------------------------------
# A complete envelope from the device above to two mailboxes (the second is epoch 1 of the mailbox
# above), carrying the content of the content-hash section, the pupil binding, the attachment
# descriptor and a second approval by a colleague. Every random value is fixed, so the envelope
# is the same on every run; the C++ must open it (key commitment, header MAC, STREAM, inner
# layout, signature over outer digest and inner root, labels, attachment list, pupil, approval).
def b64(data):
    return base64.b64encode(data).rstrip(b"=")


def chacha_seal(key, nonce, plaintext):
    return sodium.crypto_aead_chacha20poly1305_ietf_encrypt(plaintext, b"", nonce, key)


def build_envelope(signature_domain, e):
    """Seals envelope e (a dict of every label, content and random value) as 7.1-7.8 and 3 say;
    returns the envelope, key commitment, outer digest, inner root and the signed inner region."""
    recipients = e["recipients"]  # (mailbox id, epoch, mailbox public key), in stanza order
    fragments = e["fragments"]
    # 7.7 inner part, signed region first
    inner = u8(2) + u32(0) + device_cert + u64(e["sequence"]) + e["thread"] + e["previous"]
    inner += u8(len(ref_bytes)) + ref_bytes + pupil_salt
    inner += u16(len(fragments))
    for category, domain, media, body in fragments:
        inner += u8(category) + u8(domain) + ascii8(media) + u32(len(body)) + body
    attachments = e["attachments"]  # (id, key, header, size, ciphertext hash, plaintext hash, media, name)
    inner += u8(len(attachments))
    for a_id, a_key, a_header, a_size, a_hash, a_plain_hash, a_media, a_name in attachments:
        file_name = a_name.encode("utf-8")
        inner += a_id + a_key + a_header + u64(a_size) + a_hash + a_plain_hash + ascii8(a_media)
        inner += u16(len(file_name)) + file_name
    approvals = e["approvals"]  # (approval id, encoded approval)
    inner += u8(len(approvals))
    for _, encoded in approvals:
        inner += u16(len(encoded)) + encoded
    signed_length = len(inner)
    inner = inner[:1] + u32(signed_length) + inner[5:]
    n = -(-(signed_length + 64) // 4096) * 4096
    chunks = -(-n // 65536)
    payload_size = 16 + n + 16 * chunks

    # 3.2-3.4 age header
    file_key = e["file_key"]
    header = b"age-encryption.org/v1\n"
    for j, (_, _, pk) in enumerate(recipients):
        eph = e["ephemeral"][j]
        share = x25519_base(eph)
        wrap_key = hkdf_sha256(sodium.crypto_scalarmult(eph, pk), b"age-encryption.org/v1/X25519", 32,
                               salt=share + pk)
        header += b"-> X25519 " + b64(share) + b"\n" + b64(chacha_seal(wrap_key, b"\x00" * 12, file_key)) + b"\n"
    header += b"---"
    mac = hmac.new(hkdf_sha256(file_key, b"header", 32), header, hashlib.sha256).digest()
    header += b" " + b64(mac) + b"\n"
    assert len(header) == 70 + 98 * len(recipients)

    # 7.1 outer part
    commitment = hashlib.blake2b(b"draaischijf/key-commitment/v1" + e["message_id"], digest_size=32,
                                 key=file_key).digest()
    outer = b"DRSJ" + u8(3) + u8(1) + e["message_id"] + u64(e["created"]) + org_id
    outer += u16(e["kind"]) + u16(e["purpose"]) + u32(e["categories"]) + u32(e["attestations"])
    outer += e["consent"] + pseudonym
    outer += u8(len(approvals)) + b"".join(sorted(a[0] for a in approvals))
    outer += u8(len(attachments)) + b"".join(sorted(a[0] for a in attachments))
    outer += u8(len(recipients))
    outer += b"".join(m + u32(ep) for m, ep, _ in recipients)
    outer += commitment + u32(len(header) + payload_size)
    assert len(outer) == 145 + 16 * len(approvals) + 16 * len(attachments) + 20 * len(recipients)

    # 7.8 signature
    outer_digest = hashlib.blake2b(b"draaischijf/envelope-outer/v1" + outer + header).digest()
    leaves = [blake2b_256(inner[i:min(i + 65536, signed_length)])
              for i in range(0, max(signed_length, 1), 65536)]
    inner_root = hashlib.blake2b(b"draaischijf/envelope-inner/v1" + u64(signed_length) + b"".join(leaves)).digest()
    signed_region = inner
    inner += sign(device_seed, signature_domain, outer_digest + inner_root)
    inner += b"\x00" * (n - len(inner))

    # 3.5 payload
    payload_key = hkdf_sha256(file_key, b"payload", 32, salt=e["payload_nonce"])
    payload = e["payload_nonce"]
    for j in range(chunks):
        last = j == chunks - 1
        payload += chacha_seal(payload_key, j.to_bytes(11, "big") + (b"\x01" if last else b"\x00"),
                               inner[65536 * j:65536 * (j + 1)])
    assert len(payload) == payload_size
    return outer + header + payload, commitment, outer_digest, inner_root, signed_region


comment("7 envelope v3 from the device to two mailboxes, with a pupil, an attachment and an approval")
env_message_id = fixed("envelope message id", 16)
env_created = 1_800_000_000_000
env_sequence = 7
env_categories = (1 << 7) | (1 << 8) | (1 << 10)  # the fragments' categories (content section)
env_file_key = fixed("envelope file key", 16)
env_payload_nonce = fixed("envelope payload nonce", 16)
env_ephemeral = [fixed("envelope ephemeral 0", 32), fixed("envelope ephemeral 1", 32)]
env_other_mailbox = fixed("envelope other mailbox", 16)
env_other_pk = x25519_base(fixed("envelope other mailbox secret", 32))
env_blob_key = fixed("envelope blob key", 32)
env_blob_header = fixed("envelope blob header", 24)
env_blob_size = 12345
env_blob_hash = fixed("envelope blob ciphertext hash", 32)

# The approver: another person of the same organisation, role 1 (clb_arts).
apr_seed = fixed("approver signing seed", 32)
apr_staff = fixed("approver staff id", 16)
apr_signed = (
    b"DRDC" + u8(1) + org_id + u8(1) + fixed("approver device id", 16) + apr_staff + u8(1)
    + public_of(apr_seed) + x25519_base(fixed("approver x25519 secret", 32))
    + u64(dc_not_before) + u64(dc_not_after) + key_id(org_pk)
)
apr_cert = apr_signed + sign(org_seed, "draaischijf/device-certificate/v1", apr_signed)
env_approval_id = fixed("envelope approval id", 16)
env_approval_signed = (
    b"DRAP" + u8(1) + env_approval_id + env_message_id + org_id + u16(ap_kind) + u16(ap_purpose)
    + u32(env_categories) + u32(ap_attestations) + ap_consent + pseudonym
    + hash256("draaischijf/approval-content/v2", ch_bytes) + u64(env_created - 60_000) + apr_cert
    + u8(2) + b"".join(sorted([env_other_mailbox, mailbox_id]))
)
env_approval = env_approval_signed + sign(apr_seed, "draaischijf/approval/v1", env_approval_signed)

env = {
    "message_id": env_message_id, "created": env_created, "sequence": env_sequence,
    "thread": ch_thread, "previous": ch_previous, "kind": ap_kind, "purpose": ap_purpose,
    "categories": env_categories, "attestations": ap_attestations, "consent": ap_consent,
    "recipients": [(env_other_mailbox, 0, env_other_pk), (mailbox_id, 1, x25519_base(kdf(seeds[1], 1)))],
    "fragments": ch_fragments,
    "attachments": [(ch_attachment_id, env_blob_key, env_blob_header, env_blob_size, env_blob_hash,
                     ch_attachment[0], ch_attachment[1], ch_attachment[2])],
    "approvals": [(env_approval_id, env_approval)],
    "file_key": env_file_key, "payload_nonce": env_payload_nonce, "ephemeral": env_ephemeral,
}
envelope, env_commitment, env_outer_digest, env_inner_root, env_signed_region = build_envelope(
    "draaischijf/envelope/v3", env)
emit("envelope.message_id", env_message_id)
emit("envelope.created_at_ms_int", env_created)
emit("envelope.sequence_int", env_sequence)
emit("envelope.approval_id", env_approval_id)
emit("envelope.file_key", env_file_key)
emit("envelope.key_commitment", env_commitment)
emit("envelope.outer_digest", env_outer_digest)
emit("envelope.inner_root", env_inner_root)
emit("envelope.encoded", envelope)
emit("envelope.hash", hash256("draaischijf/envelope-hash/v1", envelope))
# The same envelope signed under the retired v2 domain: the signature must not verify.
emit("envelope.signed_as_v2", build_envelope("draaischijf/envelope/v2", env)[0])

# 7.8 as values: the outer digest covers the outer part and the age header, the inner root the
# signed region of the inner part (given here, since only a recipient can decrypt it).
emit("envelope.inner_signed_region", env_signed_region)

# -- 7.2 worked example -------------------------------------------------------------------------
# The envelope of the table in PROTOCOL.md 7.2: a referral (kind 3, purpose 2) with one
# psychosocial fragment (bit 7) about the pupil above, attesting truancy (0), concern (5) and a
# team meeting (24); no approvals, no attachments; two recipients at epoch 0. The table's values
# are these bytes (kat_vectors_test.cpp compares them with the document).
comment("7.2 worked example: 0 approvals, 0 attachments, 2 recipients at epoch 0, smallest inner part")
w72 = {
    "message_id": fixed("worked example message id", 16), "created": 1_800_000_000_000,
    "sequence": 1, "thread": fixed("worked example thread id", 16), "previous": b"\x00" * 32,
    "kind": 3, "purpose": 2, "categories": 1 << 7, "attestations": (1 << 0) | (1 << 5) | (1 << 24),
    "consent": fixed("worked example consent", 16),
    "recipients": [(env_other_mailbox, 0, env_other_pk), (mailbox_id, 0, x25519_base(kdf(seeds[0], 1)))],
    "fragments": [(7, 4, "text/plain; charset=utf-8", "Leerling toont angst op school.".encode())],
    "attachments": [], "approvals": [],
    "file_key": fixed("worked example file key", 16),
    "payload_nonce": fixed("worked example payload nonce", 16),
    "ephemeral": [fixed("worked example ephemeral 0", 32), fixed("worked example ephemeral 1", 32)],
}
w72_envelope, _, w72_outer_digest, w72_inner_root, _ = build_envelope("draaischijf/envelope/v3", w72)
assert len(w72_envelope) == 4579 and w72_envelope[181:185] == bytes.fromhex("0000112a")
emit("worked72.file_key", w72["file_key"])
emit("worked72.outer_digest", w72_outer_digest)
emit("worked72.inner_root", w72_inner_root)
emit("worked72.encoded", w72_envelope)

# -- 7.11 attachment blobs ----------------------------------------------------------------------
# A file of 65,536 + 300 bytes (two chunks: one full, one short and FINAL) and an empty file (one
# empty FINAL chunk), each pushed with crypto_secretstream_xchacha20poly1305 under a fixed key and
# header. libsodium draws the header itself in init_push; the push state is the one init_pull
# derives from the same key and header (both are HChaCha20(key, header[0..15]) with the counter
# at 1 and header[16..23] as the nonce), which is checked below against a real init_push.
comment("7.11 attachment blobs: secretstream with a fixed key and header (blob in attachment_blob.bin)")
SS = sodium
ATTACHMENT_CHUNK = 65536


def secretstream_state(key, header):
    state = SS.crypto_secretstream_xchacha20poly1305_state()
    SS.crypto_secretstream_xchacha20poly1305_init_pull(state, header, key)
    return state


def seal_blob(key, header, plaintext):
    state = secretstream_state(key, header)
    chunks = [plaintext[i:i + ATTACHMENT_CHUNK] for i in range(0, len(plaintext), ATTACHMENT_CHUNK)] or [b""]
    blob = b""
    for j, chunk in enumerate(chunks):
        tag = SS.crypto_secretstream_xchacha20poly1305_TAG_FINAL if j == len(chunks) - 1 else 0
        blob += SS.crypto_secretstream_xchacha20poly1305_push(state, chunk, None, tag)
    assert len(blob) == len(plaintext) + max(1, -(-len(plaintext) // ATTACHMENT_CHUNK)) * 17
    return blob


def open_blob(key, header, blob):
    """libsodium's own pull, chunk by chunk: the tags must be 0 ... 0 FINAL, no additional data."""
    state = secretstream_state(key, header)
    out, tags = b"", []
    for i in range(0, max(len(blob), 1), ATTACHMENT_CHUNK + 17):
        m, tag = SS.crypto_secretstream_xchacha20poly1305_pull(state, blob[i:i + ATTACHMENT_CHUNK + 17], None)
        out += m
        tags.append(tag)
    assert tags == [0] * (len(tags) - 1) + [SS.crypto_secretstream_xchacha20poly1305_TAG_FINAL]
    return out


# init_push with a random header gives the same state as init_pull with that header.
probe_key = fixed("attachment probe key", 32)
probe_state = SS.crypto_secretstream_xchacha20poly1305_state()
probe_header = SS.crypto_secretstream_xchacha20poly1305_init_push(probe_state, probe_key)
assert SS.crypto_secretstream_xchacha20poly1305_push(probe_state, b"probe", None, 0) == \
    SS.crypto_secretstream_xchacha20poly1305_push(secretstream_state(probe_key, probe_header), b"probe", None, 0)

att_key = fixed("attachment blob key", 32)
att_header = fixed("attachment blob header", 24)
att_pattern = "Verslag multidisciplinair overleg, bijlage 2;"
att_size = ATTACHMENT_CHUNK + 300
att_plain = (att_pattern * (att_size // len(att_pattern) + 1)).encode("ascii")[:att_size]
att_blob = seal_blob(att_key, att_header, att_plain)
assert open_blob(att_key, att_header, att_blob) == att_plain
with open(os.path.join(HERE, "attachment_blob.bin"), "wb") as f:
    f.write(att_blob)
emit("attachment.key", att_key)
emit("attachment.header", att_header)
emit("attachment.plaintext_pattern_text", att_pattern)
emit("attachment.plaintext_size_int", att_size)
emit("attachment.ciphertext_size_int", len(att_blob))
emit("attachment.plaintext_hash", blake2b_256(att_plain))
emit("attachment.ciphertext_hash", blake2b_256(att_blob))
emit("attachment.first_chunk_tail", att_blob[ATTACHMENT_CHUNK + 17 - 32:ATTACHMENT_CHUNK + 17])
empty_blob = seal_blob(att_key, att_header, b"")
assert open_blob(att_key, att_header, empty_blob) == b""
emit("attachment.empty_blob", empty_blob)
emit("attachment.empty_ciphertext_hash", blake2b_256(empty_blob))
emit("attachment.empty_plaintext_hash", blake2b_256(b""))

# Self-check: the signatures verify with PyNaCl under their domains.
verify(org_pk, "draaischijf/admin-action/v1", aa_statement,
       sign(org_seed, "draaischijf/admin-action/v1", aa_statement))
verify(hub_pk, "draaischijf/receipt/v2", receipt_signed, receipt[-64:])
verify(device_pk, "draaischijf/approval/v1", ap_signed, approval[-64:])

# ===============================================================================================
# 1.7 verification rules against the C2SP CCTV Ed25519 edge-case vectors
# (tests/vectors/ed25519/ed25519vectors.json). A pure-Python verifier written from rules 1-4 of
# PROTOCOL.md 1.7 decides each vector; PyNaCl (libsodium) is asked too and must agree.
P = 2**255 - 19
L = 2**252 + 27742317777372353535851937790883648493
D = (-121665 * pow(121666, P - 2, P)) % P
SQRT_M1 = pow(2, (P - 1) // 4, P)


def ed_add(p1, p2):
    x1, y1, z1, t1 = p1
    x2, y2, z2, t2 = p2
    a = (y1 - x1) * (y2 - x2) % P
    b = (y1 + x1) * (y2 + x2) % P
    c = 2 * t1 * t2 * D % P
    d = 2 * z1 * z2 % P
    e, f, g, h = b - a, d - c, d + c, b + a
    return (e * f % P, g * h % P, f * g % P, e * h % P)


def ed_mul(k, pt):
    q = (0, 1, 1, 0)
    while k:
        if k & 1:
            q = ed_add(q, pt)
        pt = ed_add(pt, pt)
        k >>= 1
    return q


def ed_encode(pt):
    x, y, z, _ = pt
    zi = pow(z, P - 2, P)
    x, y = x * zi % P, y * zi % P
    return (y | ((x & 1) << 255)).to_bytes(32, "little")


def ed_decode(b):
    """RFC 8032 5.1.3 decoding, except that y >= p is reduced (callers check canonicity)."""
    v = int.from_bytes(b, "little")
    sign, y = v >> 255, (v & ((1 << 255) - 1)) % P
    u, w = (y * y - 1) % P, (D * y * y + 1) % P
    x = u * pow(w, 3, P) * pow(u * pow(w, 7, P), (P - 5) // 8, P) % P
    if w * x * x % P == (-u) % P:
        x = x * SQRT_M1 % P
    if w * x * x % P != u:
        return None
    if x == 0 and sign:
        return (0, y, 1, 0)  # "-0" (RFC 8032 refuses it): y = 1 or p - 1, small order either way
    if x & 1 != sign:
        x = P - x
    return (x, y, 1, x * y % P)


def is_small_order(pt):
    x, y, z, _ = ed_mul(8, pt)
    return x % P == 0 and (y - z) % P == 0


G = ed_decode((4 * pow(5, P - 2, P) % P).to_bytes(32, "little"))


def strict_verify(pk, msg, sig):
    r_bytes, s = sig[:32], int.from_bytes(sig[32:], "little")
    if s >= L:  # rule 1
        return False
    r_point = ed_decode(r_bytes)
    if r_point is not None and is_small_order(r_point):  # rule 2
        return False
    if int.from_bytes(pk, "little") & ((1 << 255) - 1) >= P:  # rule 3: canonical A
        return False
    a_point = ed_decode(pk)
    if a_point is None or is_small_order(a_point):  # rule 3: on the curve, not small order
        return False
    k = int.from_bytes(hashlib.sha512(r_bytes + pk + msg).digest(), "little") % L
    neg_a = ((P - a_point[0]) % P, a_point[1], 1, (P - a_point[3]) % P)
    r_check = ed_add(ed_mul(s, G), ed_mul(k, neg_a))  # rule 4: cofactorless
    return ed_encode(r_check) == r_bytes


def libsodium_verify(pk, msg, sig):
    try:
        nacl.signing.VerifyKey(pk).verify(msg, sig)
        return True
    except Exception:  # BadSignatureError, or a key PyNaCl refuses outright
        return False


with open(os.path.join(REPO, "tests", "vectors", "ed25519", "ed25519vectors.json")) as f:
    cctv = json.load(f)
cctv_lines = []
accepted = 0
for v in cctv:
    pk, sig, msg = bytes.fromhex(v["key"]), bytes.fromhex(v["sig"]), v["msg"].encode()
    ours = strict_verify(pk, msg, sig)
    sodium_says = libsodium_verify(pk, msg, sig)
    if ours != sodium_says:
        print(f"CCTV vector {v['number']}: rules of 1.7 say {ours}, libsodium says {sodium_says}",
              file=sys.stderr)
    accepted += ours
    cctv_lines.append(f"{v['number']} {v['key']} {v['sig']} {msg.hex()} {'accept' if ours else 'refuse'}")
print(f"CCTV Ed25519: {accepted} of {len(cctv)} accepted under the rules of 1.7", file=sys.stderr)
with open(os.path.join(HERE, "ed25519_cctv_expected.txt"), "w", encoding="ascii", newline="\n") as f:
    f.write("# C2SP CCTV Ed25519 vectors (tests/vectors/ed25519) and the outcome the rules of\n")
    f.write("# docs/PROTOCOL.md 1.7 give, decided by tests/vectors/kat/make_vectors.py.\n")
    f.write("# number public-key signature message(hex) accept|refuse\n")
    f.write("\n".join(cctv_lines) + "\n")

header = [
    "# Draaischijf known-answer vectors, written by tests/vectors/kat/make_vectors.py from",
    "# docs/PROTOCOL.md with PyNaCl and hashlib (independent of the C++ in protocol/).",
    "# Do not edit by hand: rerun the program. Values are hex unless the name ends in _text or _int.",
]
path = os.path.join(HERE, "protocol_kat.txt")
with open(path, "w", encoding="utf-8", newline="\n") as f:
    f.write("\n".join(header + out_lines) + "\n")
print(f"wrote {path} ({len([l for l in out_lines if ' = ' in l])} values)", file=sys.stderr)
