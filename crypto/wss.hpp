#pragma once
// WS-Security transport signatures (rules of 2016, appendix 8): checking the
// signature a caller put on a SOAP envelope. libxml2 parses the envelope and
// xmlsec1 does the XML-DSig work (C14N, digests, the signature itself); this
// header keeps both out of sight.
//
// What verifies: a wsse:Security header (one) in the Envelope's Header holding
// one ds:Signature whose SignedInfo references, by a same-document "#id", the
// Envelope's one Body, with the signer's certificate in the message: a
// wsse:BinarySecurityToken named by the SecurityTokenReference, or X509Data
// (in the KeyInfo or in the SecurityTokenReference). Other references (a
// timestamp, the token) must verify as well. Only the listed algorithms and
// C14N transforms are accepted: nothing else can select what is digested.
//
// Two parsers read one envelope: the gateway's scanner, which decides what is
// routed and forwarded, and libxml2, under the signature. The caller passes
// where its scanner found the Body; the signed Body must start and end at
// exactly those bytes (so no wrapping, duplicated Body, Body in a header,
// comment or CDATA trick can make the two disagree on what was signed).
//
// Thread safety: verify_body_signature may run on every thread at once.

#include "core/errors.hpp"
#include "crypto/x509.hpp"

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace qaqpa::crypto {

/// Where the scanner found the Body: the byte offsets just past the '>' of
/// its start tag and just past the '>' of its end tag.
struct body_span {
    std::size_t start_tag_end = 0;
    std::size_t end_tag_end = 0;
};

/// A verified signature: who signed and what, kept as evidence.
struct verified_signature {
    certificate signer;
    std::string signature_method; ///< the SignatureMethod's algorithm URI
    std::string signature_value;  ///< base64, as in the message
};

/// Checks the caller's signature over the Body found at `body`. Failures:
/// signature_required (no wsse:Security or no ds:Signature),
/// signature_unsupported (an algorithm, transform or key form not accepted;
/// no certificate in the message), signature_scope (the Body is not covered,
/// or covered ambiguously), signature_invalid (a digest or the signature
/// value does not match). The certificate itself is not judged here
/// (trust_store::check, and the sender's BIN).
result<verified_signature> verify_body_signature(std::string_view envelope, body_span body);

/// A private key and its certificate, for signing as the gateway.
class signing_identity {
public:
    /// Reads a PEM certificate and its PEM private key (RSA or EC); a bad
    /// file or a key that does not match the certificate is bad_config.
    static result<std::shared_ptr<const signing_identity>> load(const std::string& cert_file,
                                                                 const std::string& key_file);
    ~signing_identity();
    const certificate& cert() const { return cert_; }
    /// RSA-SHA256 for an RSA key, ECDSA-SHA256 for an EC one.
    std::string_view signature_method() const;

    struct key;
    const key& signing_key() const { return *key_; }

private:
    signing_identity(certificate cert, std::unique_ptr<key> k);
    certificate cert_;
    std::unique_ptr<key> key_;
};

/// Signs a SOAP envelope as `id`: adds a wsse:Security header (the
/// certificate as a BinarySecurityToken, a ds:Signature over the Body with
/// exclusive C14N and SHA-256) and a wsu:Id on the Body. Every other byte of
/// the envelope is kept as it was, the payload included.
result<std::string> sign_envelope(std::string_view envelope, const signing_identity& id);

/// The signature methods and digests accepted, by algorithm URI (for the README and tests).
const std::vector<std::string_view>& accepted_signature_methods();

// XML Encryption (rules of 2016, appendix 8, scenario 3), in the form WS-Security
// 1.1 gives it: an xenc:EncryptedKey in the wsse:Security header (RSA-OAEP
// key transport) whose ReferenceList names the Body's xenc:EncryptedData.

/// Whether the envelope's bytes hold XML Encryption at all (a cheap look
/// before anything parses it).
bool looks_encrypted(std::string_view envelope);

/// An encrypted envelope with its Body decrypted.
struct opened_envelope {
    /// The envelope's bytes with the Body's EncryptedData replaced by its
    /// plaintext; every other byte as it came (the header keeps its
    /// EncryptedKey, which nothing reads again).
    std::string text;
    /// A ds:Signature that came before the EncryptedKey in the header
    /// (encrypt-then-sign) signed the encrypted Body: it was checked on the
    /// bytes as they came, and this is its outcome. Empty when the
    /// signature comes after (sign-then-encrypt: it is checked on `text`
    /// like any other) or there is none.
    std::optional<result<verified_signature>> verified_before;
};

/// Decrypts the Body of `envelope` (whose Body the gateway's scanner found
/// at `body`) with `key`'s RSA private key, processing the wsse:Security
/// header's elements in the order they appear. Accepted: RSA-OAEP
/// (MGF1-SHA1) key transport; AES-128/192/256 in CBC or GCM for the data,
/// of type Content or Element; exactly one EncryptedData, the Body's only
/// child. Failures: encryption_unsupported (another algorithm, an
/// encrypted part elsewhere, a ReferenceList outside an EncryptedKey),
/// decryption_failed (encrypted to another certificate, or any failure to
/// decrypt or to read the plaintext as the Body's content: one answer for
/// all, so it tells an attacker nothing about padding).
result<opened_envelope> open_envelope(std::string_view envelope, body_span body, const signing_identity& key);

/// `envelope` with its Body's content encrypted to `recipient` (an RSA
/// certificate): AES-256-GCM under a fresh key, the key by RSA-OAEP in an
/// EncryptedKey put first in the wsse:Security header (made when there is
/// none), naming the certificate by issuer and serial. Sign first, then
/// encrypt: the signature then verifies after decryption.
result<std::string> encrypt_body(std::string_view envelope, const certificate& recipient);

} // namespace qaqpa::crypto
