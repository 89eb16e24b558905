#include "transports/soap/encrypted_request.hpp"

namespace qaqpa::soap {
namespace {

constexpr std::string_view xenc_ns = "http://www.w3.org/2001/04/xmlenc#";

} // namespace

result<opened_request> open_if_encrypted(std::string& body, const routing::transport_security* security,
                                         soap_version& version) {
    // most calls are plain: a look at the bytes before parsing anything twice
    if (!crypto::looks_encrypted(body)) return opened_request{};
    auto env = parse_envelope(body, version);
    if (!env || !is(env->operation, xenc_ns, "EncryptedData")) return opened_request{};
    if (!security)
        return fail(errc::decryption_failed, "the Body is encrypted, but the gateway has no [security] to decrypt it with");
    auto opened = security->open(body, body_span_of(*env, body));
    if (!opened) return opened.error();
    body = std::move(opened->text);
    return opened_request{true, std::move(opened->verified_before)};
}

} // namespace qaqpa::soap
