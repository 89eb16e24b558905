// Transport signatures on the synchronous channel: callers' signatures
// checked (signed endpoint, security_mode 2), the gateway's own on what it
// forwards (security_mode 1) and on its answers (sign_responses).
#include "tests/integration/reply_fields.hpp"
#include "tests/integration/wss_helpers.hpp"
#include "tests/support/fake_provider.hpp"
#include "tests/support/http_call.hpp"
#include "tests/support/soap_samples.hpp"

using namespace qaqpa;
using namespace qaqpa::test;

namespace {

std::string signed_by(const std::string& who, const sample_request& r = {}) { return signed_as(who, sync_request_xml(r)); }

} // namespace

TEST_CASE("a signed call on the signed endpoint goes through, and the answer is signed by the gateway", "[integration][wss]") {
    node_settings s = secured();
    s.extra_registry = "[[systems]]\nid = \"person\"\npassword = \"person-password\"\nbin = \"880101300123\"\n"
                       "[[access]]\nsystem = \"person\"\nservice = \"echo\"\n";
    gateway gw(s);
    const auto reply = soap_post(gw.port(), "/bip-sync-wss-gost/", signed_by("sender"));
    INFO(reply.error << reply.body);
    REQUIRE(reply.status == 200);
    CHECK(field(reply.body, "code") == "OK");
    auto sig = gateway_signature(reply.body);
    INFO((sig ? std::string() : sig.error().detail));
    REQUIRE(sig);
    CHECK(sig->signer.bin() == "990000000001");
    // an ECDSA signer and an individual's certificate registered by IIN work too
    CHECK(soap_post(gw.port(), "/bip-sync-wss-gost/", signed_by("sender-ec")).status == 200);
    sample_request person;
    person.sender = "person";
    person.password = "person-password";
    const auto by_iin = soap_post(gw.port(), "/bip-sync-wss-gost/", signed_by("person", person));
    INFO(by_iin.body);
    CHECK(by_iin.status == 200);
}

TEST_CASE("each refusal on the signed endpoint has its own code, and the gateway keeps serving", "[integration][wss]") {
    gateway gw(secured());
    const auto post = [&](const std::string& text) { return soap_post(gw.port(), "/bip-sync-wss-gost/", text); };
    CHECK(fault_code(post(sync_request_xml())) == "SIGNATURE_REQUIRED");
    auto tampered = signed_by("sender");
    replace_once(tampered, "Сәлем", "Салем");
    CHECK(fault_code(post(tampered)) == "SIGNATURE_INVALID");
    CHECK(fault_code(post(signed_by("stranger"))) == "CERTIFICATE_UNTRUSTED");
    CHECK(fault_code(post(signed_by("expired"))) == "CERTIFICATE_EXPIRED");
    CHECK(fault_code(post(signed_by("revoked"))) == "CERTIFICATE_REVOKED");
    const auto other = post(signed_by("other"));
    CHECK(fault_code(other) == "CERTIFICATE_MISMATCH");
    CHECK(field(other.body, "errorMessage").find("BIN 555555555555") != std::string::npos);

    // wrapping: the signed Body moved into the header, a forged one in its place
    const auto text = signed_by("sender");
    const auto open = text.find("<soapenv:Body");
    const auto close = text.find("</soapenv:Body>") + std::string("</soapenv:Body>").size();
    const auto body = text.substr(open, close - open);
    auto forged = sync_request_xml([] { sample_request r; r.payload = "<doc>forged</doc>"; return r; }());
    const auto forged_body = forged.substr(forged.find("<soapenv:Body"),
                                           forged.find("</soapenv:Body>") + 15 - forged.find("<soapenv:Body"));
    auto wrapped = text;
    replace_once(wrapped, body, forged_body);
    replace_once(wrapped, "</soapenv:Header>", "<w>" + body + "</w></soapenv:Header>");
    CHECK(fault_code(post(wrapped)) == "SIGNATURE_SCOPE");
    // faults on the signed endpoint are signed too
    CHECK(gateway_signature(post(sync_request_xml()).body));

    CHECK(post(signed_by("sender")).status == 200);
}

TEST_CASE("security_mode 2 asks for the caller's signature on the plain path too", "[integration][wss]") {
    node_settings s = secured();
    s.extra_registry = point_with_service("strict", "builtin:echo", "security_mode = 2", "", "mode = \"sync\"");
    gateway gw(s);
    sample_request r;
    r.service = "strict-svc";
    CHECK(fault_code(soap_post(gw.port(), "/bip-sync/", sync_request_xml(r))) == "SIGNATURE_REQUIRED");
    const auto reply = soap_post(gw.port(), "/bip-sync/", signed_by("sender", r));
    INFO(reply.body);
    CHECK(reply.status == 200);
    // a signature where nothing asks for one is ignored, even a broken one
    auto broken = signed_by("sender");
    replace_once(broken, "Сәлем", "Салем");
    CHECK(soap_post(gw.port(), "/bip-sync/", broken).status == 200);
}

TEST_CASE("security_mode 1: what the gateway forwards is signed by it, the payload unchanged", "[integration][wss]") {
    fake_provider provider(provider_mode::echo);
    node_settings s = secured(remote(provider.url()));
    s.extra_registry = point_with_service("signed-out", provider.url(), "security_mode = 1", "", "mode = \"sync\"");
    gateway gw(s);
    sample_request r;
    r.service = "signed-out-svc";
    r.payload = "<x:doc xmlns:x=\"urn:x\" a=\"1\">  Қазақстан &amp; <![CDATA[<raw>]]> <!-- c --></x:doc>";
    const auto reply = soap_post(gw.port(), "/bip-sync/", sync_request_xml(r));
    INFO(reply.error << reply.body);
    REQUIRE(reply.status == 200);
    REQUIRE(provider.request_count() == 1);
    const auto got = provider.requests().front().body;
    auto sig = gateway_signature(got);
    INFO(got);
    REQUIRE(sig);
    CHECK(sig->signer.bin() == "990000000001");
    CHECK(got.find(r.payload) != std::string::npos);
    // the answer on the plain path is not signed
    CHECK(reply.body.find("wsse:Security") == std::string::npos);
}

TEST_CASE("an access row's security_mode 1 has the relay signed where the point's own mode is 0", "[integration][wss]") {
    fake_provider provider(provider_mode::echo);
    node_settings s = secured(remote(provider.url()));
    s.extra_registry = point_with_service("raised", provider.url(), "", "security_mode = 1", "mode = \"sync\"");
    gateway gw(s);
    sample_request r;
    r.service = "raised-svc";
    REQUIRE(soap_post(gw.port(), "/bip-sync/", sync_request_xml(r)).status == 200);
    r.service = "remote"; // the same provider through a point nobody raised
    REQUIRE(soap_post(gw.port(), "/bip-sync/", sync_request_xml(r)).status == 200);
    const auto got = provider.requests();
    REQUIRE(got.size() == 2);
    CHECK(gateway_signature(got[0].body));
    CHECK(got[1].body.find("wsse:Security") == std::string::npos);
}
