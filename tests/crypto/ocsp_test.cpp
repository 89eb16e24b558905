// OCSP questions and the reading of answers, against answers Debian's
// `openssl ocsp` makes from the test CA's database.
#include "crypto/x509.hpp"

#include "tests/support/catch.hpp"
#include "tests/support/ocsp_responder.hpp"
#include "tests/support/test_pki.hpp"

#include <chrono>

using namespace qaqpa;
using namespace qaqpa::crypto;
using qaqpa::test::ocsp_answer;
using qaqpa::test::pki_file;

namespace {

certificate cert(const std::string& name) {
    auto c = certificate::from_pem_file(pki_file(name + ".pem"));
    REQUIRE(c);
    return *c;
}

std::int64_t now_s() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::shared_ptr<trust_store> trusting_the_test_ca() {
    auto t = trust_store::load({{pki_file("ca.pem")}, {}});
    REQUIRE(t);
    return *t;
}

const std::string responder = "http://127.0.0.1:9/ocsp";

} // namespace

TEST_CASE("an OCSP question goes to the configured responder, else to the certificate's own", "[unit][crypto][ocsp]") {
    const auto trust = trusting_the_test_ca();
    auto from_aia = trust->ocsp_query_for(cert("sender-aia"), "");
    REQUIRE(from_aia);
    CHECK(from_aia->responder() == "http://127.0.0.1:9/ocsp");
    CHECK(!from_aia->der().empty());
    auto overridden = trust->ocsp_query_for(cert("sender-aia"), "http://127.0.0.1:8/other");
    REQUIRE(overridden);
    CHECK(overridden->responder() == "http://127.0.0.1:8/other");

    auto none = trust->ocsp_query_for(cert("sender"), "");
    REQUIRE(!none);
    CHECK(none.error().code == errc::certificate_status_unknown);
    CHECK(none.error().detail.find("ocsp_responder") != std::string::npos);
    auto foreign = trust->ocsp_query_for(cert("stranger"), responder);
    REQUIRE(!foreign);
    CHECK(foreign.error().code == errc::certificate_status_unknown);
    CHECK(foreign.error().detail.find("issuer") != std::string::npos);
}

TEST_CASE("OCSP answers: good, revoked, signed by the CA or its delegate", "[unit][crypto][ocsp]") {
    const auto trust = trusting_the_test_ca();
    for (const std::string signer : {"ocsp-responder", "ca"}) {
        INFO(signer);
        auto q = trust->ocsp_query_for(cert("sender"), responder);
        REQUIRE(q);
        auto good = trust->read_ocsp_answer(*q, ocsp_answer(q->der(), signer), now_s());
        INFO((good ? good->detail : good.error().detail));
        REQUIRE(good);
        CHECK(good->said == ocsp_status::verdict::good);
        CHECK(good->fresh_until_s > now_s() + 3600); // -ndays 1: its nextUpdate
    }
    auto q = trust->ocsp_query_for(cert("revoked"), responder);
    REQUIRE(q);
    auto revoked = trust->read_ocsp_answer(*q, ocsp_answer(q->der(), "ocsp-responder"), now_s());
    REQUIRE(revoked);
    CHECK(revoked->said == ocsp_status::verdict::revoked);
    CHECK(revoked->detail.find("keyCompromise") != std::string::npos);
}

TEST_CASE("OCSP answers that cannot be trusted say why", "[unit][crypto][ocsp]") {
    const auto trust = trusting_the_test_ca();
    auto q = trust->ocsp_query_for(cert("sender"), responder);
    REQUIRE(q);
    const auto refused = [&](const ocsp_query& asked, const std::string& answer, const std::string& why) {
        auto r = trust->read_ocsp_answer(asked, answer, now_s());
        INFO(why);
        REQUIRE(!r);
        CHECK(r.error().code == errc::certificate_status_unknown);
        CHECK(r.error().detail.find(why) != std::string::npos);
    };
    // signed by a responder the CA never delegated to
    refused(*q, ocsp_answer(q->der(), "stranger"), "signature does not verify");
    // an answer to another question (its nonce) replayed
    auto other = trust->ocsp_query_for(cert("sender"), responder);
    REQUIRE(other);
    refused(*q, ocsp_answer(other->der(), "ocsp-responder"), "nonce");
    refused(*q, "<html>502</html>", "not an OCSPResponse");
    refused(*q, std::string("\x30\x03\x0a\x01\x03", 5), "trylater");
}
