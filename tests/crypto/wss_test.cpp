#include "crypto/wss.hpp"

#include "tests/support/catch.hpp"
#include "tests/support/soap_samples.hpp"
#include "tests/support/test_pki.hpp"
#include "tests/support/wss_samples.hpp"
#include "transports/soap/envelope.hpp"

using namespace qaqpa;
using namespace qaqpa::crypto;
using qaqpa::test::pki_file;

namespace {

using test::identity_of;
using test::scanned_body;

result<verified_signature> verify(const std::string& text) { return verify_body_signature(text, scanned_body(text)); }

std::string signed_sample(const std::string& who = "sender") {
    auto s = sign_envelope(test::sync_request_xml(), *identity_of(who));
    REQUIRE(s);
    return *s;
}

const auto replace = test::replace_once;

std::string between(const std::string& s, const std::string& open, const std::string& close) {
    const auto a = s.find(open);
    REQUIRE(a != std::string::npos);
    const auto b = s.find(close, a);
    REQUIRE(b != std::string::npos);
    return s.substr(a, b + close.size() - a);
}

} // namespace

TEST_CASE("what the gateway signs verifies, and names its signer", "[unit][crypto]") {
    for (const std::string who : {"sender", "sender-ec"}) {
        const auto text = signed_sample(who);
        auto v = verify(text);
        REQUIRE(v);
        CHECK(v->signer.bin() == "123456789012");
        CHECK(v->signature_method ==
              (who == "sender" ? "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
                               : "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"));
        CHECK_FALSE(v->signature_value.empty());
    }
}

TEST_CASE("signing keeps every byte of the payload", "[unit][crypto]") {
    const auto unsigned_text = test::sync_request_xml();
    const auto text = signed_sample();
    const auto payload = between(unsigned_text, "<data>", "</data>");
    CHECK(text.find(payload) != std::string::npos);
    // the Body's content is the same bytes; only its start tag gained the id
    const auto body_content = between(unsigned_text, "<request>", "</request>");
    CHECK(text.find(body_content) != std::string::npos);
}

TEST_CASE("a changed Body does not verify", "[unit][crypto]") {
    auto text = signed_sample();
    replace(text, "Сәлем", "Салем");
    auto v = verify(text);
    REQUIRE_FALSE(v);
    CHECK(v.error().code == errc::signature_invalid);
}

TEST_CASE("a comment added inside the signed Body still verifies and changes nothing read", "[unit][crypto]") {
    // exclusive C14N without comments drops them: adding one is not a change
    auto text = signed_sample();
    replace(text, "Сәлем", "Сә<!-- x -->лем");
    CHECK(verify(text));
}

TEST_CASE("no signature is its own refusal", "[unit][crypto]") {
    const auto text = test::sync_request_xml();
    auto v = verify(text);
    REQUIRE_FALSE(v);
    CHECK(v.error().code == errc::signature_required);
    auto empty_security = signed_sample();
    const auto sig = between(empty_security, "<ds:Signature", "</ds:Signature>");
    replace(empty_security, sig, "");
    v = verify(empty_security);
    REQUIRE_FALSE(v);
    CHECK(v.error().code == errc::signature_required);
}

TEST_CASE("signature wrapping: the signed Body moved into the Header, another one in its place", "[unit][crypto]") {
    const auto text = signed_sample();
    const auto body = between(text, "<soapenv:Body", "</soapenv:Body>");
    auto forged_body = body;
    replace(forged_body, " xmlns:qwsu=\"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd\" qwsu:Id=\"qaqpa-body\"", "");
    replace(forged_body, "Сәлем", "Forged");
    auto wrapped = text;
    replace(wrapped, body, forged_body);
    // the original, signed Body now sits in the header, under another element
    replace(wrapped, "</soapenv:Header>", "<Wrapper>" + body + "</Wrapper></soapenv:Header>");
    auto v = verify(wrapped);
    REQUIRE_FALSE(v);
    CHECK(v.error().code == errc::signature_scope);
}

TEST_CASE("signature wrapping: the signed id on two elements", "[unit][crypto]") {
    const auto text = signed_sample();
    const auto body = between(text, "<soapenv:Body", "</soapenv:Body>");
    auto copy = body;
    replace(copy, "soapenv:Body", "Copy");
    replace(copy, "soapenv:Body", "Copy");
    auto twice = text;
    replace(twice, "</soapenv:Header>", copy + "</soapenv:Header>");
    auto v = verify(twice);
    REQUIRE_FALSE(v);
    CHECK(v.error().code == errc::signature_scope);
}

TEST_CASE("the scanner and libxml2 must agree on where the Body is", "[unit][crypto]") {
    const auto text = signed_sample();
    auto span = scanned_body(text);
    ++span.start_tag_end;
    auto v = verify_body_signature(text, span);
    REQUIRE_FALSE(v);
    CHECK(v.error().code == errc::signature_scope);
}

TEST_CASE("the certificate may come as X509Data instead of a token reference", "[unit][crypto]") {
    auto text = signed_sample();
    const auto token = between(text, "<wsse:BinarySecurityToken", "</wsse:BinarySecurityToken>");
    const auto b64 = token.substr(token.find('>') + 1, token.find("</") - token.find('>') - 1);
    const auto str = between(text, "<wsse:SecurityTokenReference>", "</wsse:SecurityTokenReference>");
    replace(text, str, "<ds:X509Data><ds:X509Certificate>" + b64 + "</ds:X509Certificate></ds:X509Data>");
    replace(text, token, "");
    auto v = verify(text);
    REQUIRE(v);
    CHECK(v->signer.bin() == "123456789012");
}

TEST_CASE("a key the message does not carry is not accepted", "[unit][crypto]") {
    auto text = signed_sample();
    const auto str = between(text, "<wsse:SecurityTokenReference>", "</wsse:SecurityTokenReference>");
    replace(text, str, "<ds:KeyName>sender</ds:KeyName>");
    auto v = verify(text);
    REQUIRE_FALSE(v);
    CHECK(v.error().code == errc::signature_unsupported);
}

TEST_CASE("transforms and digests outside the accepted list are refused", "[unit][crypto]") {
    auto text = signed_sample();
    replace(text, "<ds:Transform Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"/>",
            "<ds:Transform Algorithm=\"http://www.w3.org/TR/1999/REC-xpath-19991116\"><ds:XPath>true()</ds:XPath></ds:Transform>");
    auto v = verify(text);
    REQUIRE_FALSE(v);
    CHECK(v.error().code == errc::signature_unsupported);
    auto md5 = signed_sample();
    replace(md5, "http://www.w3.org/2001/04/xmlenc#sha256", "http://www.w3.org/2001/04/xmldsig-more#md5");
    v = verify(md5);
    REQUIRE_FALSE(v);
    CHECK(v.error().code == errc::signature_unsupported);
}

TEST_CASE("a signing identity's key must match its certificate", "[unit][crypto]") {
    auto id = signing_identity::load(pki_file("sender.pem"), pki_file("other.key"));
    REQUIRE_FALSE(id);
    CHECK(id.error().code == errc::bad_config);
}
