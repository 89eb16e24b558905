#include "routing/transport_security.hpp"

#include <fmt/format.h>

#include <chrono>

namespace qaqpa::routing {

std::string signature_evidence::describe() const {
    return fmt::format("signed by \"{}\" (certificate SHA-256 {}, {}; signature value {})", subject, fingerprint,
                       signature_method, signature_value);
}

result<std::unique_ptr<transport_security>> transport_security::load(const security_config& c) {
    auto s = std::make_unique<transport_security>();
    s->sign_responses_ = c.sign_responses;
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
    return s;
}

result<signature_evidence> transport_security::check_caller(const caller_envelope* env, const system_entry& caller,
                                                            std::int64_t now_unix_s) const {
    if (!env) return fail(errc::signature_required, "this call must carry a WS-Security transport signature");
    auto v = crypto::verify_body_signature(env->text, env->body);
    if (!v) return v.error();
    if (!trust_)
        return fail(errc::certificate_untrusted,
                    "the gateway trusts no certification authority ([security] trusted_ca is not configured)");
    if (auto ok = trust_->check(v->signer, now_unix_s); !ok) return ok.error();
    const auto bin = v->signer.bin();
    const auto iin = v->signer.iin();
    if (caller.bin.empty())
        return fail(errc::certificate_mismatch, "sender \"" + caller.id + "\" has no BIN registered to check its certificate against");
    if (bin != caller.bin && iin != caller.bin) {
        const auto named = !bin.empty() ? "BIN " + bin : !iin.empty() ? "IIN " + iin : std::string("no BIN or IIN");
        return fail(errc::certificate_mismatch, fmt::format("the certificate \"{}\" names {}; sender \"{}\" is registered "
                                                            "with BIN {}", v->signer.subject(), named, caller.id, caller.bin));
    }
    return signature_evidence{v->signer.subject(), v->signer.fingerprint(), std::move(v->signature_method),
                              std::move(v->signature_value)};
}

result<std::string> transport_security::sign(std::string_view envelope) const {
    if (!identity_) return fail(errc::internal, "the gateway has no signing key ([security] gateway_cert and gateway_key)");
    return crypto::sign_envelope(envelope, *identity_);
}

result<signature_evidence> check_signature(const transport_security* security, const caller_envelope* env,
                                           const system_entry& caller) {
    if (!security)
        return fail(errc::signature_required, "this call needs a transport signature, and the gateway has no "
                                              "[security] to check it with");
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch()).count();
    return security->check_caller(env, caller, now);
}

} // namespace qaqpa::routing
