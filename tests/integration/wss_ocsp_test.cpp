// OCSP on transport signatures ([security] ocsp = true): the signer's status
// asked of a responder on loopback (Debian's `openssl ocsp` answering from
// the test CA's database), its answer remembered, revoked refused, and a
// responder that does not answer refused or, with ocsp_soft_fail, noted.
#include "tests/integration/async_helpers.hpp"
#include "tests/integration/reply_fields.hpp"
#include "tests/integration/wss_helpers.hpp"
#include "tests/support/fake_provider.hpp"
#include "tests/support/http_call.hpp"
#include "tests/support/ocsp_responder.hpp"
#include "tests/support/soap_samples.hpp"

#include <chrono>

using namespace qaqpa;
using namespace qaqpa::test;

namespace {

constexpr const char* signed_path = "/bip-sync-wss-gost/";

/// [security] without a CRL (OCSP alone judges revocation), asking `responder`.
node_settings with_ocsp(const std::string& responder, const std::string& more = "") {
    node_settings s;
    s.extra_toml = "\n[security]\ngateway_cert = \"" + pki_file("gateway.pem") + "\"\ngateway_key = \"" +
                   pki_file("gateway.key") + "\"\ntrusted_ca = [\"" + pki_file("ca.pem") +
                   "\"]\nocsp = true\nocsp_responder = \"" + responder + "\"\n" + more;
    return s;
}

bool journal_says(gateway& gw, const std::string& text) {
    return eventually([&] { return admin_call(gw, "GET", "/admin/v1/journal?event=forwarded").body.find(text) != std::string::npos; });
}

std::string signed_by(const std::string& who) { return signed_as(who, sync_request_xml(sample_request{})); }

} // namespace

TEST_CASE("OCSP: a good signer is let through once per answer; a revoked one is refused", "[integration][wss][ocsp]") {
    ocsp_responder responder;
    gateway gw(with_ocsp(responder.url()));
    const auto reply = soap_post(gw.port(), signed_path, signed_by("sender"));
    INFO(reply.error << reply.body);
    REQUIRE(reply.status == 200);
    CHECK(responder.questions() == 1);
    CHECK(soap_post(gw.port(), signed_path, signed_by("sender")).status == 200);
    CHECK(responder.questions() == 1); // the answer is fresh for a day: remembered
    // revoked.pem is in no CRL here: only the responder knows
    const auto revoked = soap_post(gw.port(), signed_path, signed_by("revoked"));
    CHECK(fault_code(revoked) == "CERTIFICATE_REVOKED");
    CHECK(revoked.body.find("keyCompromise") != std::string::npos);
    CHECK(responder.questions() == 2);
    // the journal says how revocation was judged (sync rows are written a moment after the answer)
    CHECK(journal_says(gw, "OCSP: good (" + responder.url() + ")"));
}

TEST_CASE("OCSP: an answer the CA did not sign is no answer", "[integration][wss][ocsp]") {
    ocsp_responder impostor("stranger");
    gateway gw(with_ocsp(impostor.url()));
    const auto reply = soap_post(gw.port(), signed_path, signed_by("sender"));
    CHECK(fault_code(reply) == "CERTIFICATE_STATUS_UNKNOWN");
    CHECK(reply.body.find("does not verify") != std::string::npos);
}

TEST_CASE("OCSP: a responder that is down or silent is hard-fail by default, soft-fail when asked",
          "[integration][wss][ocsp]") {
    const auto down = "http://127.0.0.1:" + std::to_string(closed_port()) + "/";
    {
        gateway gw(with_ocsp(down));
        const auto reply = soap_post(gw.port(), signed_path, signed_by("sender"));
        CHECK(fault_code(reply) == "CERTIFICATE_STATUS_UNKNOWN");
        CHECK(reply.body.find("OCSP responder") != std::string::npos);
    }
    {
        fake_provider silent(provider_mode::slow, std::chrono::seconds(5));
        gateway gw(with_ocsp(silent.url(), "ocsp_timeout_ms = 300\n"));
        const auto started = std::chrono::steady_clock::now();
        const auto reply = soap_post(gw.port(), signed_path, signed_by("sender"));
        CHECK(fault_code(reply) == "CERTIFICATE_STATUS_UNKNOWN");
        CHECK(reply.body.find("within 300 ms") != std::string::npos);
        CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(4)); // bounded by the timeout
    }
    {
        gateway gw(with_ocsp(down, "ocsp_soft_fail = true\n"));
        const auto reply = soap_post(gw.port(), signed_path, signed_by("sender"));
        INFO(reply.body);
        CHECK(reply.status == 200);
        CHECK(journal_says(gw, "accepted by ocsp_soft_fail"));
    }
}
