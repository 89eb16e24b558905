#include "routing/transport_security.hpp"

#include "tests/support/catch.hpp"
#include "tests/support/run_task.hpp"
#include "tests/support/soap_samples.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_pki.hpp"
#include "tests/support/wss_samples.hpp"

#include <filesystem>

using namespace qaqpa;
using namespace qaqpa::test;
using qaqpa::test::run_task;

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
    CHECK(security->check_key_files(with_point(pki_file("other.pem"))));
    const auto missing = security->check_key_files(with_point("/no/such/file.pem"));
    REQUIRE_FALSE(missing);
    CHECK(missing.error().code == errc::bad_config);
    CHECK(missing.error().detail.find("delivery point \"sealed\": encrypt_to: cannot read") == 0);
    const auto ec = security->check_key_files(with_point(pki_file("sender-ec.pem")));
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

TEST_CASE("a peer's own pair signs its hops and its own CA judges them", "[unit][routing][wss]") {
    auto c = pair_of("gateway");
    c.trusted_ca = {pki_file("ca.pem")};
    c.crls = {pki_file("crl.pem"), pki_file("peer-crl.pem")}; // a peer's CA is judged with [security]'s CRLs
    auto security = loaded(c);
    const hop_keys own{pki_file("peer-ca.pem"), pki_file("hop-near.pem"), pki_file("hop-near.key")};

    // what goes to the peer carries its pair; anything else [security]'s
    const auto signed_with = [&](const hop_keys* hop) {
        auto text = security->sign(sync_request_xml(), hop);
        REQUIRE(text);
        auto v = crypto::verify_body_signature(*text, scanned_body(*text));
        REQUIRE(v);
        return v->signer.bin();
    };
    CHECK(signed_with(&own) == "990000000003");
    CHECK(signed_with(nullptr) == "990000000001");
    const hop_keys ca_only{pki_file("peer-ca.pem"), "", ""};
    CHECK(signed_with(&ca_only) == "990000000001");

    // a peer's call is judged by its CA alone, whatever [security] trusts
    system_entry far;
    far.id = "gw-far";
    far.bin = "990000000002";
    far.gateway = true;
    const auto judged = [&](const std::string& signer, const hop_keys* hop) {
        const auto text = *crypto::sign_envelope(sync_request_xml(), *identity_of(signer));
        routing::caller_envelope env;
        env.text = text;
        env.body = scanned_body(text);
        env.signed_endpoint = true;
        return run_task(security->check_caller(&env, far, std::time(nullptr), hop));
    };
    const auto taken = judged("hop-far", &own);
    INFO((taken ? std::string() : taken.error().detail));
    REQUIRE(taken);
    CHECK(taken->revocation == "revocation: CRL");
    CHECK(judged("hop-far", nullptr).error().code == errc::certificate_untrusted); // not [security]'s CA
    far.bin = "990000000003";
    CHECK(judged("hop-near-main", &own).error().code == errc::certificate_untrusted); // [security]'s CA, not the peer's
    CHECK(judged("hop-near-main", nullptr)); // which [security] itself takes

    // files a peer names must be readable, checked like encrypt_to
    registry reg;
    reg.peers.push_back(peer_entry{"far", "http://127.0.0.1:9", "gw", "pw", "990000000002"});
    reg.peers[0].keys = own;
    CHECK(security->check_key_files(reg));
    reg.peers[0].keys.trusted_ca = "/no/such/ca.pem";
    const auto missing = security->check_key_files(reg);
    REQUIRE_FALSE(missing);
    CHECK(missing.error().detail.find("peer \"far\": trusted_ca: ") == 0);
    reg.peers[0].keys = {"", pki_file("hop-near.pem"), pki_file("hop-far.key")};
    const auto mismatched = security->check_key_files(reg);
    REQUIRE_FALSE(mismatched);
    CHECK(mismatched.error().detail.find("peer \"far\": gateway_cert: ") == 0);
}
