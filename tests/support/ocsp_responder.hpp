#pragma once
// An OCSP responder for tests: Debian's `openssl ocsp` answers each question
// from the test CA's database (tests/support/pki: ca-db/index.txt, where
// revoked.pem is revoked), run once per question with -reqin/-respout so
// that the HTTP side is ours and binds to 127.0.0.1 only (`openssl ocsp
// -port` listens on every interface).

#include "tests/support/fake_provider.hpp"

#include <atomic>
#include <string>

namespace qaqpa::test {

/// `openssl ocsp`'s DER answer to a DER question, signed by the test PKI's
/// `signer` ("ocsp-responder", the CA's delegate; "ca"; or "stranger",
/// whose answer must not verify).
std::string ocsp_answer(const std::string& request_der, const std::string& signer);

class ocsp_responder {
public:
    explicit ocsp_responder(std::string signer = "ocsp-responder");
    std::string url() const { return http_.url() + "ocsp"; }
    /// Questions answered so far.
    std::size_t questions() const noexcept { return http_.request_count(); }

private:
    fake_provider http_{provider_mode::custom};
};

} // namespace qaqpa::test
