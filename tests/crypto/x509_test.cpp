#include "crypto/x509.hpp"

#include "tests/support/catch.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_pki.hpp"

#include <chrono>
#include <filesystem>
#include <thread>

using namespace qaqpa;
using namespace qaqpa::crypto;
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

std::shared_ptr<trust_store> store(std::vector<std::string> cas, std::vector<std::string> crls) {
    auto t = trust_store::load({std::move(cas), std::move(crls)});
    REQUIRE(t);
    return *t;
}

} // namespace

TEST_CASE("a certificate names its organisation's BIN or its holder's IIN", "[unit][crypto]") {
    CHECK(cert("sender").bin() == "123456789012");
    CHECK(cert("sender").iin().empty());
    CHECK(cert("person").iin() == "880101300123");
    CHECK(cert("person").bin().empty());
    CHECK(cert("sender").subject().find("OU=BIN123456789012") != std::string::npos);
    CHECK(cert("sender").fingerprint().size() == 64);
    CHECK(certificate::from_der(cert("sender").der()));
}

TEST_CASE("the trust store tells each reason a certificate is refused", "[unit][crypto]") {
    const auto t = store({pki_file("ca.pem")}, {pki_file("crl.pem")});
    CHECK(t->check(cert("sender"), now_s()));
    CHECK(t->check(cert("sender-ec"), now_s()));
    const auto code = [&](const std::string& name, std::int64_t at) {
        auto r = t->check(cert(name), at);
        return r ? errc{} : r.error().code;
    };
    CHECK(code("stranger", now_s()) == errc::certificate_untrusted);
    CHECK(code("expired", now_s()) == errc::certificate_expired);
    // later than the CRL's next update, the CRL itself is out of date
    CHECK(code("sender", now_s() + 20LL * 365 * 86400) == errc::certificate_status_unknown);
    CHECK(store({pki_file("ca.pem")}, {})->check(cert("sender"), now_s() + 20LL * 365 * 86400).error().code ==
          errc::certificate_expired);
    CHECK(code("revoked", now_s()) == errc::certificate_revoked);
    const auto detail = t->check(cert("revoked"), now_s()).error().detail;
    CHECK(detail.find("sender (revoked)") != std::string::npos);
}

TEST_CASE("without a CRL for the issuer the revocation status is unknown", "[unit][crypto]") {
    const auto t = store({pki_file("ca.pem"), pki_file("stranger-ca.pem")}, {pki_file("crl.pem")});
    auto r = t->check(cert("stranger"), now_s());
    REQUIRE_FALSE(r);
    CHECK(r.error().code == errc::certificate_status_unknown);
    // no CRLs configured: no revocation check at all
    CHECK(store({pki_file("ca.pem")}, {})->check(cert("revoked"), now_s()));
}

TEST_CASE("a CRL file is read again when it changes", "[unit][crypto]") {
    test::temp_dir dir;
    const auto crl = dir.str() + "/crl.pem";
    std::filesystem::copy_file(pki_file("crl-before.pem"), crl);
    const auto t = store({pki_file("ca.pem")}, {crl});
    CHECK(t->check(cert("revoked"), now_s()));
    std::this_thread::sleep_for(std::chrono::milliseconds(1100)); // re-read at most once a second
    std::filesystem::copy_file(pki_file("crl.pem"), crl, std::filesystem::copy_options::overwrite_existing);
    auto r = t->check(cert("revoked"), now_s());
    REQUIRE_FALSE(r);
    CHECK(r.error().code == errc::certificate_revoked);
}

TEST_CASE("unreadable trust files are configuration errors naming them", "[unit][crypto]") {
    auto t = trust_store::load({{"/nonexistent/ca.pem"}, {}});
    REQUIRE_FALSE(t);
    CHECK(t.error().code == errc::bad_config);
    CHECK(t.error().detail.find("/nonexistent/ca.pem") != std::string::npos);
    auto c = trust_store::load({{pki_file("ca.pem")}, {pki_file("ca.key")}});
    REQUIRE_FALSE(c);
    CHECK(c.error().detail.find("ca.key") != std::string::npos);
}
