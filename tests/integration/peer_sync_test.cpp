// Two nodes on loopback, an internal and an external gateway: a synchronous
// call crosses the signed hop to the provider behind the far node and its
// answer (or fault) comes back through both; the far node refuses a peer's
// unsigned calls and a peer signing with another BIN's certificate.
#include "tests/integration/reply_fields.hpp"
#include "tests/integration/wss_helpers.hpp"
#include "tests/support/async_samples.hpp"
#include "tests/support/fake_provider.hpp"
#include "tests/support/http_call.hpp"
#include "tests/support/soap_samples.hpp"

using namespace qaqpa;
using namespace qaqpa::test;

namespace {

constexpr const char* gateway_bin = "990000000001"; // the test PKI's gateway certificate

/// The far node: the near node as a gateway system with `bin`, and the
/// service "across" going to `provider_url`; it signs as the test PKI's `key`.
node_settings far_node(const std::string& provider_url, const std::string& bin = gateway_bin,
                       const std::string& key = "gateway") {
    node_settings s;
    s.extra_toml = "\n[security]\ngateway_cert = \"" + pki_file(key + ".pem") + "\"\ngateway_key = \"" +
                   pki_file(key + ".key") + "\"\ntrusted_ca = [\"" + pki_file("ca.pem") + "\"]\ncrls = [\"" +
                   pki_file("crl.pem") + "\"]\n";
    s.extra_registry = "[[systems]]\nid = \"gw-near\"\npassword = \"hop-password\"\nbin = \"" + bin +
                       "\"\ngateway = true\n"
                       "[[delivery_points]]\nid = \"provider\"\nurl = \"" + provider_url + "\"\n"
                       "[[services]]\nid = \"across\"\nowner = \"owner\"\ndelivery_point = \"provider\"\n"
                       "[[access]]\nsystem = \"gw-near\"\nservice = \"across\"\n";
    return s;
}

/// The near node: the far node as a peer, and "across" going to it.
node_settings near_node(std::uint16_t far_port) {
    node_settings s = secured();
    s.extra_registry = "[[peers]]\nid = \"far\"\nurl = \"http://127.0.0.1:" + std::to_string(far_port) +
                       "\"\nlogin = \"gw-near\"\npassword = \"hop-password\"\nbin = \"" + gateway_bin + "\"\n"
                       "[[delivery_points]]\nid = \"to-far\"\nprotocol = \"gateway\"\npeer = \"far\"\nsecurity_mode = 1\n"
                       "[[services]]\nid = \"across\"\nowner = \"owner\"\ndelivery_point = \"to-far\"\n"
                       "[[access]]\nsystem = \"sender\"\nservice = \"across\"\n";
    return s;
}

sample_request across() {
    sample_request r;
    r.service = "across";
    return r;
}

} // namespace

TEST_CASE("a synchronous call crosses a signed hop to the provider behind the far node", "[integration][peer]") {
    fake_provider provider(provider_mode::echo);
    gateway far(far_node(provider.url()));
    gateway near(near_node(far.port()));

    const auto reply = soap_post(near.port(), "/bip-sync/", sync_request_xml(across()));
    INFO(reply.error << reply.body);
    REQUIRE(reply.status == 200);
    CHECK(field(reply.body, "code") == "PROVIDED"); // the provider's own status, through both hops
    CHECK(reply.body.find("Сәлем, қақпа!") != std::string::npos);
    const auto session = field(reply.body, "sessionId");
    CHECK_FALSE(session.empty());

    // the provider got the far node's call: the far node's own session, the
    // near node's session as the trace id, and the first sender named
    const auto got = provider.requests();
    REQUIRE(got.size() == 1);
    CHECK(property_in(got[0].body, "qaqpa.traceId") == session);
    CHECK(property_in(got[0].body, "qaqpa.origin") == "sender");
    CHECK(field(got[0].body, "sessionId") != session);

    // the admin API shows the peer's point and the gateway system in the file's shape
    const auto point = admin_call(near, "GET", "/admin/v1/delivery-points/to-far");
    CHECK(point.body.find(R"("protocol":"gateway","peer":"far")") != std::string::npos);
    CHECK(point.body.find("\"url\"") == std::string::npos);
    CHECK(admin_call(far, "GET", "/admin/v1/systems/gw-near").body.find(R"("gateway":true)") != std::string::npos);

    SECTION("the far node's answer is a signed hop too, checked against the peer's BIN") {
        fake_provider echo(provider_mode::echo);
        gateway impostor(far_node(echo.url(), gateway_bin, "other")); // signs with BIN 555555555555
        gateway near2(near_node(impostor.port()));
        const auto refused = soap_post(near2.port(), "/bip-sync/", sync_request_xml(across()));
        INFO(refused.body);
        CHECK(fault_code(refused) == "CERTIFICATE_MISMATCH");
        CHECK(field(refused.body, "errorMessage").find("the answer of peer gateway") != std::string::npos);
    }

    SECTION("a provider's fault comes back through both hops") {
        fake_provider failing(provider_mode::fault);
        gateway far2(far_node(failing.url()));
        gateway near2(near_node(far2.port()));
        const auto fault = soap_post(near2.port(), "/bip-sync/", sync_request_xml(across()));
        INFO(fault.body);
        CHECK(fault.status == 500);
        CHECK(fault.body.find("PROVIDER-42") != std::string::npos);
    }
}

TEST_CASE("the far node takes a peer's calls only signed with the peer's certificate", "[integration][peer]") {
    fake_provider provider(provider_mode::echo);
    SECTION("an unsigned call from a gateway system is refused") {
        gateway far(far_node(provider.url()));
        sample_request r = across();
        r.sender = "gw-near";
        r.password = "hop-password";
        CHECK(fault_code(soap_post(far.port(), "/bip-sync/", sync_request_xml(r))) == "SIGNATURE_REQUIRED");
        CHECK(provider.requests().empty());
    }
    SECTION("so is one on the asynchronous channel, whatever the operation") {
        node_settings s = far_node(provider.url());
        s.extra_registry += "[[access]]\nsystem = \"gw-near\"\nservice = \"async-only\"\n";
        gateway far(s);
        async_send m;
        m.who = login{"gw-near", "hop-password"};
        CHECK(fault_code(soap_post(far.port(), "/bip-async/", send_message_xml(m))) == "SIGNATURE_REQUIRED");
        CHECK(fault_code(soap_post(far.port(), "/bip-async/", get_messages_xml(m.who, "async-only"))) ==
              "SIGNATURE_REQUIRED");
    }
    SECTION("a peer signing with another BIN's certificate is refused, and the caller hears why") {
        gateway far(far_node(provider.url(), "555555555555"));
        gateway near(near_node(far.port()));
        const auto reply = soap_post(near.port(), "/bip-sync/", sync_request_xml(across()));
        INFO(reply.body);
        CHECK(reply.status == 500);
        CHECK(reply.body.find("CERTIFICATE_MISMATCH") != std::string::npos);
        CHECK(provider.requests().empty());
    }
}

TEST_CASE("a peer set through the admin API carries calls at once, never shows its password, and keeps it on PUT",
          "[integration][peer][admin]") {
    fake_provider provider(provider_mode::echo);
    gateway far(far_node(provider.url()));
    gateway near(secured());
    const auto far_url = "http://127.0.0.1:" + std::to_string(far.port());
    auto added = admin_call(near, "POST", "/admin/v1/peers",
                            R"({"id":"far","url":")" + far_url + R"(","login":"gw-near","password":"hop-password","bin":")" +
                                gateway_bin + R"("})");
    INFO(added.body);
    REQUIRE(added.status == 201);
    CHECK(added.body == R"({"id":"far","url":")" + far_url + R"(","login":"gw-near","bin":")" + gateway_bin +
                            R"(","concurrency":16})"); // no password
    REQUIRE(admin_call(near, "POST", "/admin/v1/delivery-points",
                       R"({"id":"to-far","protocol":"gateway","peer":"far","security_mode":1})").status == 201);
    REQUIRE(admin_call(near, "POST", "/admin/v1/services",
                       R"({"id":"across","owner":"owner","delivery_point":"to-far"})").status == 201);
    REQUIRE(admin_call(near, "POST", "/admin/v1/access", R"({"system":"sender","service":"across"})").status == 201);
    auto crossed = soap_post(near.port(), "/bip-sync/", sync_request_xml(across()));
    INFO(crossed.body);
    CHECK(crossed.status == 200);
    CHECK(field(crossed.body, "code") == "PROVIDED");

    // PUT without the password keeps it: the hop still logs in
    auto changed = admin_call(near, "PUT", "/admin/v1/peers/far",
                              R"({"url":")" + far_url + R"(","login":"gw-near","bin":")" + gateway_bin +
                                  R"(","concurrency":4})");
    INFO(changed.body);
    REQUIRE(changed.status == 200);
    CHECK(changed.body.find(R"("concurrency":4)") != std::string::npos);
    CHECK(soap_post(near.port(), "/bip-sync/", sync_request_xml(across())).status == 200);
    CHECK(admin_call(near, "GET", "/admin/v1/peers").body.find("password") == std::string::npos);
    // a peer's own keys: absolute paths to files that can be read, shown as given
    const auto with_ca = [&](const std::string& ca) {
        return admin_call(near, "PUT", "/admin/v1/peers/far",
                          R"({"url":")" + far_url + R"(","login":"gw-near","bin":")" + gateway_bin +
                              R"(","trusted_ca":")" + ca + R"("})");
    };
    CHECK(with_ca("pki/ca.pem").body.find("peers.trusted_ca: must be an absolute path through the admin API") !=
          std::string::npos);
    const auto unreadable = with_ca("/no/such/ca.pem");
    CHECK(unreadable.status == 400);
    CHECK(unreadable.body.find(R"(peer \"far\": trusted_ca: cannot read)") != std::string::npos);
    const auto keyed = with_ca(pki_file("ca.pem"));
    INFO(keyed.body);
    CHECK(keyed.status == 200);
    CHECK(keyed.body.find(R"("trusted_ca":")" + pki_file("ca.pem") + "\"") != std::string::npos);
    CHECK(soap_post(near.port(), "/bip-sync/", sync_request_xml(across())).status == 200);
    // checked as at start-up; removed only when no point goes to it
    auto bad = admin_call(near, "PUT", "/admin/v1/peers/far", R"({"url":")" + far_url + R"(/bip-sync/","login":"l","bin":"1"})");
    CHECK(bad.status == 400);
    CHECK(bad.body.find("peers.url: is the peer's listener without a path") != std::string::npos);
    CHECK(admin_call(near, "POST", "/admin/v1/peers", R"({"id":"other","url":"http://127.0.0.1:9","login":"l","bin":")" +
                                                          std::string(gateway_bin) + R"("})")
              .body.find("peers.password: required key is missing") != std::string::npos);
    auto refused = admin_call(near, "DELETE", "/admin/v1/peers/far");
    CHECK(refused.status == 409);
    CHECK(refused.body.find("delivery_points[") != std::string::npos);
}
