// GOST R 34.10-2012 end to end: a caller signing with a GOST key from a GOST
// CA (the national CA's kind) on the signed endpoint, the gateway answering
// and relaying signed with its own GOST key.
#include "tests/integration/reply_fields.hpp"
#include "tests/integration/wss_helpers.hpp"
#include "tests/support/fake_provider.hpp"
#include "tests/support/http_call.hpp"
#include "tests/support/soap_samples.hpp"

using namespace qaqpa;
using namespace qaqpa::test;

namespace {

constexpr const char* gost256 = "urn:ietf:params:xml:ns:cpxmlsec:algorithms:gostr34102012-gostr34112012-256";

/// [security] with the gateway's GOST pair, trusting both test CAs (RSA and GOST) with their CRLs.
node_settings gost_secured(node_settings s = {}) {
    s.extra_toml += "\n[security]\ngateway_cert = \"" + pki_file("gateway-gost.pem") + "\"\ngateway_key = \"" +
                    pki_file("gateway-gost.key") + "\"\ntrusted_ca = [\"" + pki_file("ca.pem") + "\", \"" +
                    pki_file("gost-ca.pem") + "\"]\ncrls = [\"" + pki_file("crl.pem") + "\", \"" +
                    pki_file("gost-crl.pem") + "\"]\nencryption_cert = \"" + pki_file("gateway.pem") +
                    "\"\nencryption_key = \"" + pki_file("gateway.key") + "\"\n";
    return s;
}

} // namespace

TEST_CASE("a GOST-signed call goes through the signed endpoint, answered under the gateway's GOST signature",
          "[integration][wss][gost]") {
    QAQPA_SKIP_WITHOUT_GOST_ENGINE();
    gateway gw(gost_secured());
    for (const std::string who : {"sender-gost", "sender-gost512", "sender"}) {
        CAPTURE(who);
        const auto reply = soap_post(gw.port(), "/bip-sync-wss-gost/", signed_as(who, sync_request_xml()));
        INFO(reply.error << reply.body);
        REQUIRE(reply.status == 200);
        CHECK(field(reply.body, "code") == "OK");
        auto sig = gateway_signature(reply.body);
        REQUIRE(sig);
        CHECK(sig->signer.bin() == "990000000001");
        CHECK(sig->signature_method == gost256);
    }
    auto tampered = signed_as("sender-gost", sync_request_xml());
    replace_once(tampered, "Сәлем", "Салем");
    CHECK(fault_code(soap_post(gw.port(), "/bip-sync-wss-gost/", tampered)) == "SIGNATURE_INVALID");
}

TEST_CASE("security_mode 1 with a GOST gateway key: the relay is GOST-signed, the payload unchanged",
          "[integration][wss][gost]") {
    QAQPA_SKIP_WITHOUT_GOST_ENGINE();
    fake_provider provider(provider_mode::echo);
    node_settings s = gost_secured(remote(provider.url()));
    s.extra_registry = point_with_service("signed-out", provider.url(), "security_mode = 1", "", "mode = \"sync\"");
    gateway gw(s);
    sample_request r;
    r.service = "signed-out-svc";
    REQUIRE(soap_post(gw.port(), "/bip-sync/", sync_request_xml(r)).status == 200);
    REQUIRE(provider.request_count() == 1);
    const auto got = provider.requests().front().body;
    auto sig = gateway_signature(got);
    INFO(got);
    REQUIRE(sig);
    CHECK(sig->signature_method == gost256);
    CHECK(got.find(r.payload) != std::string::npos);
}
