// The registry's signature transforms (crypto/detail/evp_transforms) against
// independent tools: RSA and ECDSA values both ways with Debian's xmlsec1
// (its own implementations), GOST R 34.10-2012 through OpenSSL's GOST engine
// with `openssl dgst` under the engine (digest and signature byte order).

#include "crypto/wss.hpp"

#include "tests/support/catch.hpp"
#include "tests/support/soap_samples.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_pki.hpp"
#include "tests/support/wss_samples.hpp"

#include <libxml/c14n.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <fstream>
#include <iterator>
#include <memory>
#include <sstream>

using namespace qaqpa;
using namespace qaqpa::crypto;
using qaqpa::test::pki_file;

namespace {

constexpr const char* gost256 = "urn:ietf:params:xml:ns:cpxmlsec:algorithms:gostr34102012-gostr34112012-256";
constexpr const char* gost512 = "urn:ietf:params:xml:ns:cpxmlsec:algorithms:gostr34102012-gostr34112012-512";

result<verified_signature> verify(const std::string& text) {
    return verify_body_signature(text, test::scanned_body(text));
}

std::string signed_by(const std::string& who) {
    auto s = sign_envelope(test::sync_request_xml(), *test::identity_of(who));
    REQUIRE(s);
    return *s;
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

void write_file(const std::string& path, const std::string& bytes) { std::ofstream(path, std::ios::binary) << bytes; }

std::string run(const std::string& command) {
    std::string out;
    std::unique_ptr<FILE, decltype(&pclose)> p(popen((command + " 2>&1").c_str(), "r"), pclose);
    REQUIRE(p);
    char buf[512];
    while (auto n = std::fread(buf, 1, sizeof buf, p.get())) out.append(buf, n);
    return out;
}

std::string base64_decode(std::string text, const test::temp_dir& dir) {
    std::erase_if(text, [](char c) { return c == '\n' || c == '\r' || c == ' '; }); // xmlsec1 breaks lines
    write_file(dir.str() + "/b64", text);
    return run("openssl base64 -d -A -in " + dir.str() + "/b64");
}

/// Exclusive C14N of the first element named `local` in `xml` (libxml2's, as xmlsec1 uses it).
std::string exclusive_c14n(const std::string& xml, const char* local) {
    std::unique_ptr<xmlDoc, decltype(&xmlFreeDoc)> doc(
        xmlReadMemory(xml.data(), static_cast<int>(xml.size()), nullptr, nullptr, XML_PARSE_NONET), xmlFreeDoc);
    REQUIRE(doc);
    const std::function<xmlNodePtr(xmlNodePtr)> first_named = [&](xmlNodePtr n) -> xmlNodePtr { // document order
        for (; n; n = n->next) {
            if (n->type == XML_ELEMENT_NODE && xmlStrEqual(n->name, BAD_CAST local)) return n;
            if (xmlNodePtr inside = first_named(n->children)) return inside;
        }
        return nullptr;
    };
    xmlNodePtr found = first_named(xmlDocGetRootElement(doc.get()));
    REQUIRE(found);
    auto inside = [](void* root, xmlNodePtr node, xmlNodePtr parent) -> int {
        for (xmlNodePtr n = node->type == XML_NAMESPACE_DECL ? parent : node; n; n = n->parent)
            if (n == root) return 1;
        return 0;
    };
    xmlOutputBufferPtr out = xmlAllocOutputBuffer(nullptr);
    REQUIRE(xmlC14NExecute(doc.get(), inside, found, XML_C14N_EXCLUSIVE_1_0, nullptr, 0, out) >= 0);
    std::string bytes(reinterpret_cast<const char*>(xmlOutputBufferGetContent(out)), xmlOutputBufferGetSize(out));
    xmlOutputBufferClose(out);
    return bytes;
}

std::string element_text(const std::string& xml, const std::string& local) {
    const auto open = xml.find(":" + local + ">");
    REQUIRE(open != std::string::npos);
    const auto from = open + local.size() + 2;
    return xml.substr(from, xml.find('<', from) - from);
}

} // namespace

TEST_CASE("RSA and ECDSA values agree with Debian's xmlsec1 both ways", "[unit][crypto]") {
    if (run("xmlsec1 --version").find("xmlsec") == std::string::npos) {
        WARN("skipped: Debian's xmlsec1 is not installed (.ci/install-deps installs it)");
        return;
    }
    test::temp_dir dir;
    const std::string d = dir.str() + "/";
    const std::string id_attr = " --id-attr:Id http://schemas.xmlsoap.org/soap/envelope/:Body ";
    for (const std::string who : {"sender", "sender-ec"}) {
        CAPTURE(who);
        const auto ours = signed_by(who);
        write_file(d + "ours.xml", ours);
        const auto checked = run("xmlsec1 --verify --pubkey-cert-pem " + pki_file(who + ".pem") + id_attr + d + "ours.xml");
        CHECK(checked.find("OK") != std::string::npos);
        INFO(checked);

        // the same template signed by xmlsec1's own RSA/ECDSA verifies here
        auto blank = ours;
        test::replace_once(blank, element_text(ours, "SignatureValue"), "");
        test::replace_once(blank, element_text(ours, "DigestValue"), "");
        write_file(d + "template.xml", blank);
        const auto signed_out = run("xmlsec1 --sign --privkey-pem " + pki_file(who + ".key") + id_attr + "--output " + d +
                                    "theirs.xml " + d + "template.xml");
        INFO(signed_out);
        const auto theirs = read_file(d + "theirs.xml");
        REQUIRE(theirs.find("SignatureValue>") != std::string::npos);
        // PKCS#1 v1.5 is deterministic: xmlsec1's RSA value is ours byte for byte; ECDSA's is random
        CHECK((element_text(theirs, "SignatureValue") == element_text(ours, "SignatureValue")) == (who == "sender"));
        auto v = verify(theirs);
        INFO((v ? std::string() : v.error().detail));
        CHECK(v);
    }
}

TEST_CASE("GOST R 34.10-2012 signatures: the gateway's own round trip, 256 and 512", "[unit][crypto][gost]") {
    QAQPA_SKIP_WITHOUT_GOST_ENGINE();
    for (const auto& [who, method] : {std::pair{"sender-gost", gost256}, std::pair{"sender-gost512", gost512}}) {
        CAPTURE(who);
        CHECK(test::identity_of(who)->signature_method() == method);
        const auto text = signed_by(who);
        auto v = verify(text);
        REQUIRE(v);
        CHECK(v->signer.bin() == "123456789012");
        CHECK(v->signature_method == method);

        auto changed = text;
        test::replace_once(changed, "<data>", "<data>x");
        auto bad = verify(changed);
        REQUIRE_FALSE(bad);
        CHECK(bad.error().code == errc::signature_invalid);
    }
    CHECK(test::identity_of("gateway-gost")->cert().bin() == "990000000001"); // CryptoPro parameter set B
    CHECK(verify(signed_by("gateway-gost")));
}

TEST_CASE("GOST values agree with openssl dgst under the engine, and reversed bytes do not verify",
          "[unit][crypto][gost]") {
    QAQPA_SKIP_WITHOUT_GOST_ENGINE();
    test::temp_dir dir;
    const std::string d = dir.str() + "/";
    const auto text = signed_by("sender-gost");

    // the Body's digest: Streebog-256 of its exclusive C14N, as `openssl dgst` computes it
    write_file(d + "body", exclusive_c14n(text, "Body"));
    const auto digest = run("openssl dgst -engine gost -md_gost12_256 -binary " + d + "body");
    CHECK(base64_decode(element_text(text, "DigestValue"), dir) == digest.substr(digest.size() - 32));

    // the signature value verifies with `openssl dgst -verify` as it stands (s || r, big-endian)
    write_file(d + "signed-info", exclusive_c14n(text, "SignedInfo"));
    write_file(d + "signature", base64_decode(element_text(text, "SignatureValue"), dir));
    run("openssl x509 -engine gost -in " + pki_file("sender-gost.pem") + " -pubkey -noout -out " + d + "pub.pem");
    CHECK(run("openssl dgst -engine gost -md_gost12_256 -verify " + d + "pub.pem -signature " + d + "signature " + d +
              "signed-info")
              .find("Verified OK") != std::string::npos);

    // and a value `openssl dgst -sign` makes over the same SignedInfo verifies in the gateway
    run("openssl dgst -engine gost -md_gost12_256 -sign " + pki_file("sender-gost.key") + " -out " + d + "theirs " + d +
        "signed-info");
    const auto theirs = read_file(d + "theirs");
    REQUIRE(theirs.size() == 64);
    auto with_value = [&](std::string value) {
        write_file(d + "value", value);
        auto b64 = run("openssl base64 -A -in " + d + "value");
        auto out = text;
        test::replace_once(out, element_text(text, "SignatureValue"), b64);
        return out;
    };
    CHECK(verify(with_value(theirs)));
    // the classic trap: CryptoAPI's little-endian order is not what XML carries
    auto reversed = theirs;
    std::reverse(reversed.begin(), reversed.end());
    auto refused = verify(with_value(reversed));
    REQUIRE_FALSE(refused);
    CHECK(refused.error().code == errc::signature_invalid);
}

TEST_CASE("every parameter set of the engine signs and verifies", "[unit][crypto][gost]") {
    QAQPA_SKIP_WITHOUT_GOST_ENGINE();
    test::temp_dir dir;
    const std::vector<std::pair<std::string, std::string>> sets{
        {"gost2012_256", "TCA"}, {"gost2012_256", "TCB"}, {"gost2012_256", "TCC"}, {"gost2012_256", "TCD"},
        {"gost2012_256", "A"},   {"gost2012_256", "B"},   {"gost2012_256", "C"},   {"gost2012_256", "XA"},
        {"gost2012_256", "XB"},  {"gost2012_512", "A"},   {"gost2012_512", "B"},   {"gost2012_512", "C"}};
    for (const auto& [algorithm, set] : sets) {
        CAPTURE(algorithm, set);
        const std::string base = dir.str() + "/" + algorithm + set;
        const std::string md = algorithm == "gost2012_512" ? "-md_gost12_512" : "-md_gost12_256";
        run("openssl genpkey -engine gost -algorithm " + algorithm + " -pkeyopt paramset:" + set + " -out " + base + ".key");
        run("openssl req -engine gost -x509 -new -key " + base + ".key " + md + " -subj /OU=BIN123456789012/CN=set -days 2 -out " +
            base + ".pem");
        auto id = signing_identity::load(base + ".pem", base + ".key");
        INFO((id ? std::string() : id.error().detail));
        REQUIRE(id);
        auto text = sign_envelope(test::sync_request_xml(), **id);
        REQUIRE(text);
        auto v = verify(*text);
        INFO((v ? std::string() : v.error().detail));
        CHECK(v);
    }
}

TEST_CASE("a GOST signature method that does not fit the key's size is refused", "[unit][crypto][gost]") {
    QAQPA_SKIP_WITHOUT_GOST_ENGINE();
    auto text = signed_by("sender-gost");
    test::replace_once(text, gost256, gost512);
    auto v = verify(text);
    REQUIRE_FALSE(v);
    CHECK((v.error().code == errc::signature_unsupported || v.error().code == errc::signature_invalid));
}

TEST_CASE("GOST methods are listed among the accepted ones when the engine is there", "[unit][crypto][gost]") {
    const auto& methods = accepted_signature_methods();
    const bool listed = std::find(methods.begin(), methods.end(), gost256) != methods.end();
    CHECK(listed == test::gost_engine_installed());
}

// ctest runs this one with OPENSSL_ENGINES pointing nowhere (the "gost_absent" test).
TEST_CASE("without the engine a GOST signature gets a fault naming it, and RSA still works", "[gost-absent]") {
    if (test::gost_engine_installed()) {
        WARN("skipped: the GOST engine loads here; ctest's gost_absent runs this without it");
        return;
    }
    const auto rsa = signed_by("sender");
    CHECK(verify(rsa));
    auto gost = rsa;
    test::replace_once(gost, "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256", gost256);
    auto v = verify(gost);
    REQUIRE_FALSE(v);
    CHECK(v.error().code == errc::signature_unsupported);
    CHECK_THAT(v.error().detail, Catch::Contains("libengine-gost-openssl"));
    CHECK(std::find(accepted_signature_methods().begin(), accepted_signature_methods().end(), gost256) ==
          accepted_signature_methods().end());
    // a GOST gateway key (made where the engine was) stops start-up naming the engine
    if (std::ifstream(pki_file("gateway-gost.key"))) {
        auto id = signing_identity::load(pki_file("gateway-gost.pem"), pki_file("gateway-gost.key"));
        REQUIRE_FALSE(id);
        CHECK(id.error().code == errc::bad_config);
        CHECK_THAT(id.error().detail, Catch::Contains("libengine-gost-openssl"));
    }
}
