#include "routing/transport_security.hpp"

#include "tests/support/catch.hpp"
#include "tests/support/soap_samples.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_pki.hpp"
#include "tests/support/wss_samples.hpp"

#include <filesystem>

using namespace qaqpa;
using namespace qaqpa::test;

namespace {

security_config pair_of(const std::string& who) {
    security_config c;
    c.gateway_cert = pki_file(who + ".pem");
    c.gateway_key = pki_file(who + ".key");
    return c;
}

std::unique_ptr<routing::transport_security> loaded(const security_config& c) {
    auto s = routing::transport_security::load(c);
    INFO((s ? std::string() : s.error().detail));
    REQUIRE(s);
    return std::move(*s);
}

registry with_point(const std::string& encrypt_to) {
    registry reg;
    delivery_point dp;
    dp.id = "sealed";
    dp.url = "http://127.0.0.1:9/";
    dp.encrypt_to = encrypt_to;
    reg.delivery_points.push_back(dp);
    return reg;
}

} // namespace

TEST_CASE("the gateway decrypts with encryption_key, or its RSA signing pair", "[unit][routing][xenc]") {
    const auto envelope = sync_request_xml();
    const auto to_gateway = *crypto::encrypt_body(envelope, identity_of("gateway")->cert());
    const auto to_other = *crypto::encrypt_body(envelope, identity_of("other")->cert());

    auto by_signing_pair = loaded(pair_of("gateway"));
    CHECK(by_signing_pair->open(to_gateway, scanned_body(to_gateway)));
    CHECK(by_signing_pair->open(to_other, scanned_body(to_other)).error().code == errc::decryption_failed);

    // a separate pair: the EC signing key stays for signatures
    auto c = pair_of("gateway-ec");
    c.encryption_cert = pki_file("other.pem");
    c.encryption_key = pki_file("other.key");
    auto separate = loaded(c);
    CHECK(separate->open(to_other, scanned_body(to_other)));
    CHECK(separate->can_sign());

    // an EC signing pair and no encryption pair: nothing to decrypt with, said plainly
    auto ec_only = loaded(pair_of("gateway-ec"));
    const auto refused = ec_only->open(to_gateway, scanned_body(to_gateway));
    REQUIRE_FALSE(refused);
    CHECK(refused.error().code == errc::decryption_failed);
    CHECK(refused.error().detail.find("not RSA") != std::string::npos);

    // an EC encryption pair is refused at start-up
    c.encryption_cert = pki_file("sender-ec.pem");
    c.encryption_key = pki_file("sender-ec.key");
    const auto bad = routing::transport_security::load(c);
    REQUIRE_FALSE(bad);
    CHECK(bad.error().code == errc::bad_config);
    CHECK(bad.error().detail.find("security.encryption_cert") != std::string::npos);
}

TEST_CASE("encrypt_to certificates are checked, and re-read when their file changes", "[unit][routing][xenc]") {
    auto security = loaded({});
    CHECK(security->check_recipients(with_point(pki_file("other.pem"))));
    const auto missing = security->check_recipients(with_point("/no/such/file.pem"));
    REQUIRE_FALSE(missing);
    CHECK(missing.error().code == errc::bad_config);
    CHECK(missing.error().detail.find("delivery point \"sealed\": encrypt_to: cannot read") == 0);
    const auto ec = security->check_recipients(with_point(pki_file("sender-ec.pem")));
    REQUIRE_FALSE(ec);
    CHECK(ec.error().detail.find("is not RSA") != std::string::npos);

    temp_dir dir;
    const auto file = (dir.path() / "point.pem").string();
    std::filesystem::copy_file(pki_file("other.pem"), file);
    const auto envelope = sync_request_xml();
    auto first = security->encrypt_for(file, envelope);
    REQUIRE(first);
    CHECK(crypto::open_envelope(*first, scanned_body(*first), *identity_of("other")));
    // the point's certificate renewed: the next message goes to the new one
    std::filesystem::copy_file(pki_file("gateway.pem"), file, std::filesystem::copy_options::overwrite_existing);
    std::filesystem::last_write_time(file, std::filesystem::last_write_time(file) + std::chrono::seconds(2));
    auto second = security->encrypt_for(file, envelope);
    REQUIRE(second);
    CHECK(crypto::open_envelope(*second, scanned_body(*second), *identity_of("gateway")));
}
