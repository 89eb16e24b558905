#include "crypto/wss.hpp"

#include "tests/support/catch.hpp"
#include "tests/support/soap_samples.hpp"
#include "tests/support/test_pki.hpp"
#include "tests/support/wss_samples.hpp"

using namespace qaqpa;
using namespace qaqpa::crypto;
using test::identity_of;
using test::scanned_body;

namespace {

const std::string payload = "<doc xmlns=\"urn:example\">Сәлем, қақпа!</doc>";

std::string encrypted_to(const std::string& who, const std::string& envelope = test::sync_request_xml()) {
    auto text = encrypt_body(envelope, identity_of(who)->cert());
    REQUIRE(text);
    return *text;
}

result<opened_envelope> open_as(const std::string& who, const std::string& text) {
    return open_envelope(text, scanned_body(text), *identity_of(who));
}

std::string body_content(const std::string& text) {
    const auto span = scanned_body(text);
    const auto end_tag = text.rfind('<', span.end_tag_end - 1);
    return text.substr(span.start_tag_end, end_tag - span.start_tag_end);
}

} // namespace

TEST_CASE("an encrypted Body hides the payload and opens to the same bytes", "[unit][crypto][xenc]") {
    const auto plain = test::sync_request_xml();
    const auto text = encrypted_to("gateway");
    CHECK(looks_encrypted(text));
    CHECK_FALSE(looks_encrypted(plain));
    CHECK(text.find("Сәлем") == std::string::npos);
    CHECK(text.find("xmlenc11#aes256-gcm") != std::string::npos);
    CHECK(text.find("rsa-oaep-mgf1p") != std::string::npos);

    auto opened = open_as("gateway", text);
    REQUIRE(opened);
    CHECK_FALSE(opened->verified_before);
    CHECK(body_content(opened->text) == body_content(plain));
}

TEST_CASE("sign then encrypt: the signature verifies on the opened envelope", "[unit][crypto][xenc]") {
    auto signed_text = sign_envelope(test::sync_request_xml(), *identity_of("sender"));
    REQUIRE(signed_text);
    const auto text = encrypted_to("gateway", *signed_text);
    // the EncryptedKey joins the signer's wsse:Security header, first
    CHECK(text.find("<xenc:EncryptedKey") < text.find("<ds:Signature"));

    auto opened = open_as("gateway", text);
    REQUIRE(opened);
    CHECK_FALSE(opened->verified_before);
    auto v = verify_body_signature(opened->text, scanned_body(opened->text));
    REQUIRE(v);
    CHECK(v->signer.bin() == "123456789012");
    // on the encrypted bytes the same signature cannot verify: what it signed is hidden
    CHECK_FALSE(verify_body_signature(text, scanned_body(text)));
}

TEST_CASE("encrypt then sign: the signature is checked on the ciphertext, before decryption", "[unit][crypto][xenc]") {
    auto signed_text = sign_envelope(encrypted_to("gateway"), *identity_of("sender"));
    REQUIRE(signed_text);
    // one wsse:Security header, as a WS-Security client writes it: the signature first
    std::string text = *signed_text;
    const auto seam = text.find("</wsse:Security><wsse:Security");
    REQUIRE(seam != std::string::npos);
    text.erase(seam, text.find('>', seam + 17) + 1 - seam);

    auto opened = open_as("gateway", text);
    REQUIRE(opened);
    REQUIRE(opened->verified_before);
    REQUIRE(*opened->verified_before);
    CHECK((*opened->verified_before)->signer.bin() == "123456789012");
    CHECK(body_content(opened->text).find(payload) != std::string::npos);

    // a changed ciphertext fails that signature (and decryption)
    std::string tampered = text;
    const auto cipher = tampered.find("<xenc:CipherValue>", tampered.find("<xenc:EncryptedData")) + 18;
    tampered[cipher] = tampered[cipher] == 'A' ? 'B' : 'A';
    auto bad = open_as("gateway", tampered);
    if (bad) {
        REQUIRE(bad->verified_before);
        CHECK(bad->verified_before->error().code == errc::signature_invalid);
    } else {
        CHECK(bad.error().code == errc::decryption_failed);
    }
}

TEST_CASE("a changed ciphertext or key is one refusal, whatever broke", "[unit][crypto][xenc]") {
    const auto text = encrypted_to("gateway");
    for (const char* where : {"<xenc:EncryptedData", "<xenc:EncryptedKey"}) {
        std::string tampered = text;
        const auto cipher = tampered.find("<xenc:CipherValue>", tampered.find(where)) + 30;
        tampered[cipher] = tampered[cipher] == 'A' ? 'B' : 'A';
        auto opened = open_as("gateway", tampered);
        INFO(where);
        REQUIRE_FALSE(opened);
        CHECK(opened.error().code == errc::decryption_failed);
        CHECK(opened.error().detail == "the encrypted Body cannot be decrypted with the gateway's key");
    }
}

TEST_CASE("a Body encrypted to another certificate is named as such", "[unit][crypto][xenc]") {
    auto opened = open_as("gateway", encrypted_to("other"));
    REQUIRE_FALSE(opened);
    CHECK(opened.error().code == errc::decryption_failed);
    CHECK(opened.error().detail.find("another certificate") != std::string::npos);
}

TEST_CASE("algorithms outside the accepted list are refused before any decryption", "[unit][crypto][xenc]") {
    const auto text = encrypted_to("gateway");
    const std::pair<std::string, std::string> swaps[] = {
        // PKCS#1 v1.5 key transport: the Bleichenbacher oracle
        {"http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p", "http://www.w3.org/2001/04/xmlenc#rsa-1_5"},
        {"http://www.w3.org/2009/xmlenc11#aes256-gcm", "http://www.w3.org/2001/04/xmlenc#tripledes-cbc"},
    };
    for (const auto& [from, to] : swaps) {
        std::string changed = text;
        test::replace_once(changed, from, to);
        auto opened = open_as("gateway", changed);
        INFO(to);
        REQUIRE_FALSE(opened);
        CHECK(opened.error().code == errc::encryption_unsupported);
        CHECK(opened.error().detail.find(to) != std::string::npos);
    }
}

TEST_CASE("only the Body's whole content may be encrypted", "[unit][crypto][xenc]") {
    const auto text = encrypted_to("gateway");
    SECTION("content beside the EncryptedData") {
        std::string changed = text;
        test::replace_once(changed, "</xenc:EncryptedData>", "</xenc:EncryptedData><extra/>");
        auto opened = open_as("gateway", changed);
        REQUIRE_FALSE(opened);
        CHECK(opened.error().code == errc::encryption_unsupported);
    }
    SECTION("a ReferenceList naming something else") {
        std::string changed = text;
        test::replace_once(changed, "URI=\"#qaqpa-encrypted-body\"", "URI=\"#elsewhere\"");
        auto opened = open_as("gateway", changed);
        REQUIRE_FALSE(opened);
        CHECK(opened.error().code == errc::encryption_unsupported);
    }
    SECTION("an EncryptedData without its key") {
        std::string changed = text;
        const auto from = changed.find("<xenc:EncryptedKey");
        const auto to = changed.find("</xenc:EncryptedKey>") + 20;
        changed.erase(from, to - from);
        auto opened = open_as("gateway", changed);
        REQUIRE_FALSE(opened);
        CHECK(opened.error().code == errc::encryption_unsupported);
    }
    SECTION("a plaintext Body") {
        auto opened = open_as("gateway", test::sync_request_xml());
        REQUIRE_FALSE(opened);
        CHECK(opened.error().code == errc::encryption_unsupported);
    }
}

TEST_CASE("a key that is not RSA cannot be encrypted to", "[unit][crypto][xenc]") {
    auto text = encrypt_body(test::sync_request_xml(), identity_of("gateway-ec")->cert());
    REQUIRE_FALSE(text);
    CHECK(text.error().detail.find("not RSA") != std::string::npos);
}
