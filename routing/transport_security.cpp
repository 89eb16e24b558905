#include "routing/transport_security.hpp"

#include "core/log.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

namespace qaqpa::routing {

namespace {

/// The certificate names the caller's registered BIN (or IIN): certificate_mismatch saying what it names instead.
result<void> names_caller(const crypto::certificate& cert, const system_entry& caller, std::string_view which) {
    const auto bin = cert.bin();
    const auto iin = cert.iin();
    if (bin == caller.bin || iin == caller.bin) return {};
    const auto named = !bin.empty() ? "BIN " + bin : !iin.empty() ? "IIN " + iin : std::string("no BIN or IIN");
    return fail(errc::certificate_mismatch, fmt::format("{} \"{}\" names {}; sender \"{}\" is registered with BIN {}",
                                                        which, cert.subject(), named, caller.id, caller.bin));
}

} // namespace

std::string signature_evidence::describe() const {
    return fmt::format("signed by \"{}\" (certificate SHA-256 {}, {}; {}; signature value {})", subject, fingerprint,
                       signature_method, revocation, signature_value);
}

std::string transport_note(const caller_envelope* env, const signature_evidence* evidence) {
    const bool decrypted = env && env->decrypted;
    if (!evidence) return decrypted ? "encrypted to the gateway, decrypted" : "";
    return decrypted ? "encrypted to the gateway, decrypted; " + evidence->describe() : evidence->describe();
}

result<std::unique_ptr<transport_security>> transport_security::load(const security_config& c) {
    auto s = std::make_unique<transport_security>();
    s->sign_responses_ = c.sign_responses;
    s->crls_ = c.crls;
    s->ocsp_ = {c.ocsp, c.ocsp_responder, std::chrono::milliseconds(c.ocsp_timeout_ms), c.ocsp_soft_fail};
    if (!c.trusted_ca.empty()) {
        auto t = crypto::trust_store::load({c.trusted_ca, c.crls});
        if (!t) return t.error();
        s->trust_ = std::move(*t);
    } else if (!c.crls.empty()) {
        return fail(errc::bad_config, "security.crls: given without security.trusted_ca");
    }
    if (!c.gateway_cert.empty() || !c.gateway_key.empty()) {
        if (c.gateway_cert.empty()) return fail(errc::bad_config, "security.gateway_cert: required with security.gateway_key");
        if (c.gateway_key.empty()) return fail(errc::bad_config, "security.gateway_key: required with security.gateway_cert");
        auto id = crypto::signing_identity::load(c.gateway_cert, c.gateway_key);
        if (!id) return fail(errc::bad_config, "security: " + id.error().detail);
        s->identity_ = std::move(*id);
    }
    if (!c.encryption_cert.empty()) {
        auto id = crypto::signing_identity::load(c.encryption_cert, c.encryption_key);
        if (!id) return fail(errc::bad_config, "security.encryption_cert: " + id.error().detail);
        if (!(*id)->cert().has_rsa_key())
            return fail(errc::bad_config, "security.encryption_cert: \"" + (*id)->cert().subject() +
                                              "\" is not RSA (XML Encryption's key transport needs RSA)");
        s->decryption_ = std::move(*id);
    } else if (s->identity_ && s->identity_->cert().has_rsa_key()) {
        s->decryption_ = s->identity_;
    } else {
        s->no_decryption_ = s->identity_ ? "the gateway's key is not RSA and [security] encryption_cert/encryption_key "
                                           "name no RSA pair to decrypt with"
                                         : "the gateway has no key to decrypt with ([security] encryption_cert and "
                                           "encryption_key, or gateway_cert and gateway_key)";
    }
    return s;
}

result<std::shared_ptr<crypto::trust_store>> transport_security::trust_for(const hop_keys* hop) const {
    if (!hop || hop->trusted_ca.empty()) return trust_;
    const auto& ca = hop->trusted_ca;
    return hop_trust_.get(ca, {ca}, [&]() -> result<std::shared_ptr<crypto::trust_store>> {
        auto t = crypto::trust_store::load({{ca}, crls_});
        if (!t) return t.error();
        return std::shared_ptr<crypto::trust_store>(std::move(*t));
    });
}

result<std::shared_ptr<const crypto::signing_identity>> transport_security::identity_for(const hop_keys* hop) const {
    if (!hop || hop->gateway_cert.empty()) return identity_;
    const auto& cert = hop->gateway_cert;
    const auto& key = hop->gateway_key;
    return hop_signers_.get(cert + '\n' + key, {cert, key}, [&] { return crypto::signing_identity::load(cert, key); });
}

result<crypto::verified_signature> transport_security::verified(const caller_envelope* env, const system_entry& caller,
                                                                std::int64_t now_unix_s,
                                                                const crypto::trust_store* trust) const {
    if (!env) return fail(errc::signature_required, "this call must carry a WS-Security transport signature");
    auto v = env->verified_before ? *env->verified_before : crypto::verify_body_signature(env->text, env->body);
    if (!v) return v.error();
    if (!trust)
        return fail(errc::certificate_untrusted,
                    "the gateway trusts no certification authority ([security] trusted_ca is not configured)");
    if (auto ok = trust->check(v->signer, now_unix_s); !ok) return ok.error();
    if (caller.bin.empty())
        return fail(errc::certificate_mismatch, "sender \"" + caller.id + "\" has no BIN registered to check its certificate against");
    if (auto names = names_caller(v->signer, caller, "the certificate"); !names) return names.error();
    return v;
}

result<void> check_client_certificate(const caller_envelope* env, const system_entry& caller) {
    if (!env || !env->client_certificate || caller.bin.empty()) return {};
    return names_caller(*env->client_certificate, caller, "the TLS client certificate");
}

task<result<signature_evidence>> transport_security::check_caller(const caller_envelope* env,
                                                                  const system_entry& caller,
                                                                  std::int64_t now_unix_s, const hop_keys* hop) const {
    auto trust = trust_for(hop);
    if (!trust)
        co_return fail(errc::certificate_untrusted,
                       "the trusted_ca of peer gateway \"" + caller.id + "\": " + trust.error().detail);
    auto v = verified(env, caller, now_unix_s, trust->get());
    if (!v) co_return v.error();
    const auto& judge = **trust;
    std::string revocation = judge.checks_crls() ? "revocation: CRL" : "revocation: not checked (no CRL)";
    if (ocsp_.enabled) {
        auto judged = co_await ocsp_status(v->signer, now_unix_s, judge);
        if (!judged) co_return judged.error();
        revocation = std::move(*judged);
    }
    co_return signature_evidence{v->signer.subject(), v->signer.fingerprint(), std::move(v->signature_method),
                                 std::move(v->signature_value), std::move(revocation)};
}

result<std::string> transport_security::uncertain(const failure& why) const {
    if (!ocsp_.soft_fail) return why;
    log::warn("security", "OCSP soft-fail, accepted: {}", why.detail);
    return "OCSP unavailable, accepted by ocsp_soft_fail: " + why.detail;
}

task<result<std::string>> transport_security::ocsp_status(const crypto::certificate& signer, std::int64_t now_unix_s,
                                                          const crypto::trust_store& trust) const {
    // an answer is good until its nextUpdate (an hour at most); no usable
    // answer is remembered for 10 s, so a dead responder is not asked per call
    constexpr std::int64_t longest_s = 3600, unusable_s = 10;
    const auto fingerprint = signer.fingerprint();
    {
        std::lock_guard lk(ocsp_mutex_);
        if (const auto it = ocsp_memory_.find(fingerprint); it != ocsp_memory_.end() && now_unix_s < it->second.until_s)
            co_return it->second.judged;
    }
    auto remember = [&](result<std::string> judged, std::int64_t until_s) {
        std::lock_guard lk(ocsp_mutex_);
        if (ocsp_memory_.size() >= 4096) ocsp_memory_.clear();
        ocsp_memory_.insert_or_assign(fingerprint, ocsp_memory{judged, until_s});
        return judged;
    };
    auto query = trust.ocsp_query_for(signer, ocsp_.responder);
    if (!query) co_return remember(uncertain(query.error()), now_unix_s + unusable_s);
    if (!ocsp_transport_)
        co_return uncertain(fail(errc::certificate_status_unknown, "the gateway has no way to ask OCSP responders"));
    auto answer = co_await ocsp_transport_->ask(query->responder(), query->der(), ocsp_.timeout);
    if (!answer)
        co_return remember(uncertain(fail(errc::certificate_status_unknown,
                                          fmt::format("\"{}\": OCSP responder {}: {}", signer.subject(),
                                                      query->responder(), answer.error().detail))),
                           now_unix_s + unusable_s);
    auto status = trust.read_ocsp_answer(*query, *answer, now_unix_s);
    if (!status) co_return remember(uncertain(status.error()), now_unix_s + unusable_s);
    const auto until = std::clamp(status->fresh_until_s, now_unix_s, now_unix_s + longest_s);
    switch (status->said) {
    case crypto::ocsp_status::verdict::good: co_return remember(status->detail, until);
    case crypto::ocsp_status::verdict::revoked:
        co_return remember(fail(errc::certificate_revoked, status->detail), until);
    case crypto::ocsp_status::verdict::unknown:
        co_return remember(uncertain(fail(errc::certificate_status_unknown, status->detail)), until);
    }
    co_return uncertain(fail(errc::internal, "an OCSP verdict of no known kind"));
}

result<std::string> transport_security::sign(std::string_view envelope, const hop_keys* hop) const {
    auto id = identity_for(hop);
    if (!id) return fail(errc::internal, "the hop's signing pair: " + id.error().detail);
    if (!*id) return fail(errc::internal, "the gateway has no signing key ([security] gateway_cert and gateway_key)");
    return crypto::sign_envelope(envelope, **id);
}

result<crypto::opened_envelope> transport_security::open(std::string_view envelope, crypto::body_span body) const {
    if (!decryption_) return fail(errc::decryption_failed, "the Body is encrypted, but " + no_decryption_);
    return crypto::open_envelope(envelope, body, *decryption_);
}

result<crypto::certificate> transport_security::recipient(const std::string& cert_file) const {
    return recipients_.get(cert_file, {cert_file}, [&]() -> result<crypto::certificate> {
        auto cert = crypto::certificate::from_pem_file(cert_file);
        if (!cert) return fail(errc::bad_config, cert.error().detail);
        if (!cert->has_rsa_key())
            return fail(errc::bad_config, fmt::format("\"{}\" ({}) is not RSA: XML Encryption's key transport needs RSA",
                                                      cert_file, cert->subject()));
        return cert;
    });
}

result<std::string> transport_security::encrypt_for(const std::string& cert_file, std::string_view envelope) const {
    auto cert = recipient(cert_file);
    if (!cert) return fail(errc::internal, "encrypt_to: " + cert.error().detail);
    return crypto::encrypt_body(envelope, *cert);
}

result<void> transport_security::check_key_files(const registry& reg) const {
    for (const auto& dp : reg.delivery_points)
        if (!dp.encrypt_to.empty())
            if (auto cert = recipient(dp.encrypt_to); !cert)
                return fail(errc::bad_config,
                            fmt::format("delivery point \"{}\": encrypt_to: {}", dp.id, cert.error().detail));
    for (const auto& p : reg.peers) {
        if (auto trust = trust_for(&p.keys); !trust)
            return fail(errc::bad_config, fmt::format("peer \"{}\": trusted_ca: {}", p.id, trust.error().detail));
        if (auto id = identity_for(&p.keys); !id)
            return fail(errc::bad_config, fmt::format("peer \"{}\": gateway_cert: {}", p.id, id.error().detail));
    }
    return {};
}

namespace {

/// Over REST: the TLS client certificate (its chain checked by the
/// handshake, its BIN by check_client_certificate) stands for the signature.
result<signature_evidence> client_certificate_evidence(const caller_envelope& env, const system_entry& caller) {
    if (!env.client_certificate)
        return fail(errc::signature_required, "this call needs a transport signature; over REST that is a TLS client "
                                              "certificate (a listener with tls.client_ca)");
    if (caller.bin.empty())
        return fail(errc::signature_required, "this call needs a transport signature; over REST a TLS client "
                                              "certificate stands for it only for a sender with a registered bin");
    return signature_evidence{env.client_certificate->subject(), env.client_certificate->fingerprint(),
                              "TLS client certificate", "", "revocation: by the listener's client_ca"};
}

} // namespace

task<result<signature_evidence>> check_signature(const transport_security* security, const caller_envelope* env,
                                                 const system_entry& caller, const hop_keys* hop) {
    if (env && env->transport == wire_protocol::rest) co_return client_certificate_evidence(*env, caller);
    if (!security)
        co_return fail(errc::signature_required, "this call needs a transport signature, and the gateway has no "
                                              "[security] to check it with");
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch()).count();
    co_return co_await security->check_caller(env, caller, now, hop);
}

} // namespace qaqpa::routing
