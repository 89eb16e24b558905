#pragma once
// Transport signatures in the gateway's decisions (rules of 2016 §21–28,
// appendix 8): whether a call must carry its caller's signature, checking it
// (crypto/wss.hpp verifies, the trust store judges the certificate now, and
// the certificate's BIN or IIN must be the one registered for the sender),
// and the gateway's own signing identity for what it sends.
//
// Lifecycle: made once by cmd/ from [security]; outlives the gateways.
// Thread safety: every method may run on every thread at once.

#include "core/async.hpp"
#include "core/config.hpp"
#include "core/errors.hpp"
#include "core/registry.hpp"
#include "crypto/wss.hpp"
#include "crypto/x509.hpp"
#include "routing/detail/file_memo.hpp"

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <string>
#include <string_view>

namespace qaqpa::routing {

/// The caller's envelope as it came, for its transport signature.
struct caller_envelope {
    std::string_view text;
    crypto::body_span body;
    bool signed_endpoint = false; ///< came in on a /bip-*-wss-gost/ path: a signature is required
    /// The Body came encrypted and a signature over the ciphertext was
    /// checked before decrypting (encrypt-then-sign): its outcome, used
    /// instead of checking `text` (which holds the plaintext).
    std::optional<result<crypto::verified_signature>> verified_before;
    bool decrypted = false; ///< the Body came encrypted to the gateway
    /// The certificate the client presented to a TLS listener with a client_ca; null when none.
    const crypto::certificate* client_certificate = nullptr;
    /// The caller's wire. REST carries no XML signature: where one is
    /// required, a TLS client certificate naming the caller's BIN stands for it.
    wire_protocol transport = wire_protocol::soap;
};

/// The journal's transport column for a call: "soap" or "rest".
inline std::string transport_of(const caller_envelope* env) {
    return env ? to_string(env->transport) : "soap";
}

/// What a verified caller signature leaves as evidence (kept with the message, journalled).
struct signature_evidence {
    std::string subject;
    std::string fingerprint; ///< SHA-256 of the certificate
    std::string signature_method;
    std::string signature_value;
    std::string revocation; ///< how revocation was judged: CRL, OCSP, or OCSP unavailable (soft-fail)
    /// One line for the journal's detail column.
    std::string describe() const;
};

/// What the journal's detail says of how a call came: encrypted to the
/// gateway, signed (the evidence); "" when neither.
std::string transport_note(const caller_envelope* env, const signature_evidence* evidence);

/// Whether a call needs its caller's signature: on a signed endpoint, when
/// the effective security mode (the point's, or the caller's access row's)
/// is 2, or from a peer gateway (its hops are always signed).
inline bool signature_required(const caller_envelope* env, int security_mode, const system_entry& caller) {
    return (env && env->signed_endpoint) || security_mode >= 2 || caller.gateway;
}

/// Puts an OCSP question to a responder: POSTs the DER request to `url`
/// (application/ocsp-request) and gives back the DER answer of an HTTP 200,
/// within `timeout`. transports/ implements it; crypto/ does no I/O.
class ocsp_transport {
public:
    virtual ~ocsp_transport() = default;
    virtual task<result<std::string>> ask(const std::string& url, std::string request,
                                          std::chrono::milliseconds timeout) = 0;
};

class transport_security {
public:
    /// Reads the keys and trust files [security] names; what is absent is
    /// simply not available (a check or a signature then fails clearly).
    static result<std::unique_ptr<transport_security>> load(const security_config& c);

    /// Where OCSP questions go ([security] ocsp = true); set before the first call.
    void ask_ocsp_through(ocsp_transport* t) { ocsp_transport_ = t; }

    /// Checks `env`'s signature for `caller`, against the CA of `hop` (a
    /// peer gateway's own trusted_ca) when it names one, else [security]
    /// trusted_ca. Without an envelope (a
    /// transport that carries none) it is signature_required. With OCSP on,
    /// the signer's status is asked of its responder (once per answer's
    /// freshness, at most an hour): revoked is certificate_revoked; no
    /// usable answer is certificate_status_unknown, or accepted and noted in
    /// the evidence with ocsp_soft_fail.
    task<result<signature_evidence>> check_caller(const caller_envelope* env, const system_entry& caller,
                                                  std::int64_t now_unix_s, const hop_keys* hop = nullptr) const;

    /// Signs an envelope as the gateway: with `hop`'s pair when it names one
    /// (a hop to that peer), else [security]'s; internal when there is none.
    result<std::string> sign(std::string_view envelope, const hop_keys* hop = nullptr) const;
    bool can_sign(const hop_keys* hop = nullptr) const {
        return identity_ != nullptr || (hop && !hop->gateway_cert.empty());
    }
    bool sign_responses() const { return sign_responses_; }

    /// Decrypts the encrypted Body of `envelope` (found at `body`) with
    /// [security] encryption_key, or gateway_key when none is set
    /// (crypto::open_envelope); decryption_failed when the gateway has no RSA key.
    result<crypto::opened_envelope> open(std::string_view envelope, crypto::body_span body) const;
    /// `envelope` with its Body encrypted to the certificate in `cert_file`
    /// (a delivery point's encrypt_to; re-read when the file changes).
    result<std::string> encrypt_for(const std::string& cert_file, std::string_view envelope) const;
    /// Every delivery point's encrypt_to names a readable RSA certificate,
    /// and every peer's own CA and signing pair can be read; bad_config
    /// naming the entry when one cannot.
    result<void> check_key_files(const registry& reg) const;

private:
    /// The signature, the certificate's chain, dates and CRLs, and its BIN.
    result<crypto::verified_signature> verified(const caller_envelope* env, const system_entry& caller,
                                                std::int64_t now_unix_s, const crypto::trust_store* trust) const;
    /// The OCSP judgement of `signer`: what the evidence says of it.
    task<result<std::string>> ocsp_status(const crypto::certificate& signer, std::int64_t now_unix_s,
                                          const crypto::trust_store& trust) const;
    /// What judges a caller's certificate: `hop`'s own CA, or [security]'s (null when none).
    result<std::shared_ptr<crypto::trust_store>> trust_for(const hop_keys* hop) const;
    /// What signs: `hop`'s own pair, or [security]'s (null when none).
    result<std::shared_ptr<const crypto::signing_identity>> identity_for(const hop_keys* hop) const;
    /// What an uncertain status comes to: refused, or noted with soft-fail.
    result<std::string> uncertain(const failure& why) const;

    struct ocsp_settings {
        bool enabled = false;
        std::string responder;
        std::chrono::milliseconds timeout{3000};
        bool soft_fail = false;
    };
    struct ocsp_memory {
        result<std::string> judged; ///< the evidence's note, or the refusal
        std::int64_t until_s = 0;
    };
    /// The certificate in `cert_file`, from memory while the file is unchanged.
    result<crypto::certificate> recipient(const std::string& cert_file) const;

    std::shared_ptr<crypto::trust_store> trust_;
    std::vector<std::string> crls_; ///< [security] crls: a peer's own CA is judged with them too
    std::shared_ptr<const crypto::signing_identity> identity_;
    std::shared_ptr<const crypto::signing_identity> decryption_;
    std::string no_decryption_; ///< why decryption_ is null
    detail::file_memo<crypto::certificate> recipients_;                              ///< by file path
    detail::file_memo<std::shared_ptr<crypto::trust_store>> hop_trust_;              ///< by CA file
    detail::file_memo<std::shared_ptr<const crypto::signing_identity>> hop_signers_; ///< by certificate and key files
    bool sign_responses_ = true;
    ocsp_settings ocsp_;
    ocsp_transport* ocsp_transport_ = nullptr;
    mutable std::mutex ocsp_mutex_;
    mutable std::unordered_map<std::string, ocsp_memory> ocsp_memory_; ///< by certificate fingerprint
};

/// A client certificate presented to a TLS listener with a client_ca (its
/// chain checked by the handshake) must name the caller's registered BIN or
/// IIN when the caller has one: certificate_mismatch otherwise. Nothing to
/// check without a client certificate or a registered BIN.
result<void> check_client_certificate(const caller_envelope* env, const system_entry& caller);

/// check_caller at this moment (with `hop`'s CA for a peer gateway's
/// hops), or signature_required naming what is missing when the gateway has
/// no [security] at all.
task<result<signature_evidence>> check_signature(const transport_security* security, const caller_envelope* env,
                                                 const system_entry& caller, const hop_keys* hop = nullptr);

} // namespace qaqpa::routing
