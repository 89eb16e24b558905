#pragma once
// WS-Security in tests: the test PKI's identities, and an envelope's Body as
// the gateway's scanner finds it (what crypto/wss is handed in the gateway).

#include "crypto/wss.hpp"
#include "tests/support/catch.hpp"
#include "tests/support/test_pki.hpp"
#include "transports/soap/envelope.hpp"

#include <cstdlib>
#include <memory>
#include <string>

namespace qaqpa::test {

/// The test PKI's `who` (sender, sender-ec, gateway, other, ...) as a signing identity.
inline std::shared_ptr<const crypto::signing_identity> identity_of(const std::string& who) {
    auto id = crypto::signing_identity::load(pki_file(who + ".pem"), pki_file(who + ".key"));
    REQUIRE(id);
    return *id;
}

/// Where the gateway's scanner finds the Body of `text`.
inline crypto::body_span scanned_body(const std::string& text) {
    auto& doc = soap::xml_document::scratch();
    auto root = doc.parse(text);
    REQUIRE(root);
    auto env = soap::read_envelope(*root);
    REQUIRE(env);
    return soap::body_span_of(*env, text);
}

/// Whether OpenSSL's GOST engine loads here (GOST tests warn and stop where it does not).
inline bool gost_engine_installed() { return std::system("openssl engine gost >/dev/null 2>&1") == 0; }

} // namespace qaqpa::test

/// In a GOST test case: warns and ends the case where the engine is not installed.
#define QAQPA_SKIP_WITHOUT_GOST_ENGINE()                                                                               \
    if (!qaqpa::test::gost_engine_installed()) {                                                                       \
        WARN("skipped: OpenSSL's GOST engine (libengine-gost-openssl) is not installed");                              \
        return;                                                                                                        \
    }

namespace qaqpa::test {

inline void replace_once(std::string& s, const std::string& from, const std::string& to) {
    const auto at = s.find(from);
    REQUIRE(at != std::string::npos);
    s.replace(at, from.size(), to);
}

} // namespace qaqpa::test
