// XML Encryption on both channels (rules of 2016, appendix 8, scenario 3):
// callers encrypt the Body to the gateway's certificate, signed before or
// after; a delivery point with encrypt_to gets what the gateway sends it
// encrypted to its own certificate.
#include "tests/integration/async_helpers.hpp"
#include "tests/integration/wss_helpers.hpp"
#include "tests/support/fake_provider.hpp"
#include "tests/support/http_call.hpp"
#include "tests/support/soap_samples.hpp"

using namespace qaqpa;
using namespace qaqpa::test;

namespace {

/// `envelope` with its Body encrypted to the test PKI's `who`.
std::string encrypted_to(const std::string& who, const std::string& envelope) {
    auto text = crypto::encrypt_body(envelope, identity_of(who)->cert());
    REQUIRE(text);
    return *text;
}

/// Encrypted to the gateway, then signed: the second wsse:Security header
/// sign_envelope adds is merged into the first, the signature after the key.
std::string encrypted_then_signed(const std::string& envelope) {
    auto text = signed_as("sender", encrypted_to("gateway", envelope));
    const auto seam = text.find("</wsse:Security>");
    REQUIRE(seam != std::string::npos);
    const auto next_end = text.find('>', text.find("<wsse:Security", seam));
    text.erase(seam, next_end + 1 - seam);
    return text;
}

/// What a point with encrypt_to = other.pem got, opened with other's key.
std::string opened_by_other(const std::string& got) {
    INFO(got);
    CHECK(got.find("xenc:EncryptedData") != std::string::npos);
    auto opened = crypto::open_envelope(got, scanned_body(got), *identity_of("other"));
    INFO((opened ? std::string() : opened.error().detail));
    REQUIRE(opened);
    return opened->text;
}

} // namespace

TEST_CASE("an encrypted call goes through on both sync paths, signed before or after encrypting", "[integration][xenc]") {
    gateway gw(secured());
    const auto post = [&](const char* path, const std::string& text) { return soap_post(gw.port(), path, text); };
    const auto plain = post("/bip-sync/", encrypted_to("gateway", sync_request_xml()));
    INFO(plain.body);
    REQUIRE(plain.status == 200);
    CHECK(plain.body.find("Сәлем, қақпа!") != std::string::npos); // echoed in clear: answers are not encrypted

    const auto sign_then_encrypt = post("/bip-sync-wss-gost/", encrypted_to("gateway", signed_as("sender", sync_request_xml())));
    INFO(sign_then_encrypt.body);
    CHECK(sign_then_encrypt.status == 200);
    CHECK(gateway_signature(sign_then_encrypt.body));
    const auto encrypt_then_sign = post("/bip-sync-wss-gost/", encrypted_then_signed(sync_request_xml()));
    INFO(encrypt_then_sign.body);
    CHECK(encrypt_then_sign.status == 200);

    // the signature checks still hold under the encryption
    CHECK(fault_code(post("/bip-sync-wss-gost/", encrypted_to("gateway", sync_request_xml()))) == "SIGNATURE_REQUIRED");
    CHECK(fault_code(post("/bip-sync-wss-gost/", encrypted_to("gateway", signed_as("other", sync_request_xml())))) ==
          "CERTIFICATE_MISMATCH");
    auto tampered = signed_as("sender", sync_request_xml());
    replace_once(tampered, "Сәлем", "Салем");
    CHECK(fault_code(post("/bip-sync-wss-gost/", encrypted_to("gateway", tampered))) == "SIGNATURE_INVALID");
}

TEST_CASE("encryption refusals have their own codes, and the gateway keeps serving", "[integration][xenc]") {
    gateway gw(secured());
    const auto post = [&](const std::string& text) { return soap_post(gw.port(), "/bip-sync/", text); };
    const auto elsewhere = post(encrypted_to("other", sync_request_xml()));
    CHECK(fault_code(elsewhere) == "DECRYPTION_FAILED");
    CHECK(field(elsewhere.body, "errorMessage").find("another certificate") != std::string::npos);

    auto damaged = encrypted_to("gateway", sync_request_xml());
    const auto cipher = damaged.find("<xenc:CipherValue>", damaged.find("<xenc:EncryptedData")) + 30;
    damaged[cipher] = damaged[cipher] == 'A' ? 'B' : 'A';
    CHECK(fault_code(post(damaged)) == "DECRYPTION_FAILED");

    auto old_padding = encrypted_to("gateway", sync_request_xml());
    replace_once(old_padding, "xmlenc#rsa-oaep-mgf1p", "xmlenc#rsa-1_5");
    const auto refused = post(old_padding);
    CHECK(fault_code(refused) == "ENCRYPTION_UNSUPPORTED");
    CHECK(field(refused.body, "errorMessage").find("rsa-1_5") != std::string::npos);

    // a payload that merely mentions XML Encryption is not an encrypted Body
    sample_request mentions;
    mentions.payload = "<doc xmlns:e=\"http://www.w3.org/2001/04/xmlenc#\"><e:EncryptedData/></doc>";
    CHECK(post(sync_request_xml(mentions)).status == 200);
    CHECK(post(encrypted_to("gateway", sync_request_xml())).status == 200);
}

TEST_CASE("a gateway without a decryption key says so", "[integration][xenc]") {
    gateway gw;
    const auto reply = soap_post(gw.port(), "/bip-sync/", encrypted_to("gateway", sync_request_xml()));
    CHECK(fault_code(reply) == "DECRYPTION_FAILED");
    CHECK(field(reply.body, "errorMessage").find("no key to decrypt with") != std::string::npos);
}

TEST_CASE("encrypted operations on the asynchronous channel", "[integration][xenc]") {
    gateway gw(secured());
    const async_send m;
    const auto reply = soap_post(gw.port(), "/bip-async-wss-gost/",
                                 encrypted_to("gateway", signed_as("sender", send_message_xml(m))));
    INFO(reply.body);
    REQUIRE(reply.status == 200);
    check_valid(reply.body);
    const auto id = field(reply.body, "messageId");
    // the journal says how it came: encrypted, then the signature's evidence
    const auto rows = admin_call(gw, "GET", "/admin/v1/journal?messageId=" + id + "&event=accepted");
    INFO(rows.body);
    CHECK(rows.body.find("encrypted to the gateway, decrypted; signed by") != std::string::npos);
    const auto status = soap_post(gw.port(), "/bip-async/", encrypted_to("gateway", message_status_xml(login{}, id)));
    INFO(status.body);
    CHECK(field(status.body, "messageState") == "ON_DELIVERY");
    CHECK(fault_code(soap_post(gw.port(), "/bip-async/", encrypted_to("other", send_message_xml(m)))) ==
          "DECRYPTION_FAILED");
}

TEST_CASE("a point with encrypt_to gets the relay encrypted to its certificate, signed inside", "[integration][xenc]") {
    fake_provider provider(provider_mode::echo);
    node_settings s = secured(remote(provider.url()));
    s.extra_registry = point_with_service("sealed", provider.url(),
                                          "security_mode = 1\nencrypt_to = \"" + pki_file("other.pem") + "\"", "",
                                          "mode = \"sync\"");
    gateway gw(s);
    sample_request r;
    r.service = "sealed-svc";
    // the echo provider cannot read it: its fault comes back, the request is what is checked
    soap_post(gw.port(), "/bip-sync/", sync_request_xml(r));
    REQUIRE(provider.request_count() == 1);
    const auto got = provider.requests().front().body;
    CHECK(got.find("Сәлем") == std::string::npos);
    const auto opened = opened_by_other(got);
    CHECK(opened.find(r.payload) != std::string::npos);
    auto sig = gateway_signature(opened); // signed first, then encrypted
    INFO((sig ? std::string() : sig.error().detail));
    REQUIRE(sig);
    CHECK(sig->signer.bin() == "990000000001");
}

TEST_CASE("what the gateway PUSHes to a point with encrypt_to is encrypted to it", "[integration][xenc]") {
    fake_provider recipient(provider_mode::recipient);
    node_settings s = secured();
    s.extra_registry = point_with_service("sealed-push", recipient.url(), "encrypt_to = \"" + pki_file("other.pem") + "\"",
                                          "", "delivery = \"push\"\n");
    gateway gw(s);
    async_send m;
    m.service = "sealed-push-svc";
    const auto a = accept(gw.port(), m);
    REQUIRE(eventually([&] { return state_of(gw.port(), login{}, a.message_id) == "DELIVERED"; }));
    const auto got = recipient.requests();
    REQUIRE(got.size() == 1);
    const auto opened = opened_by_other(got[0].body);
    CHECK(opened.find(m.payload) != std::string::npos);
    CHECK(field(opened, "messageId") == a.message_id);
}
