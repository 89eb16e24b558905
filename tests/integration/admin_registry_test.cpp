// The live registry through the admin API, as an operator onboards a new
// information system: added, given access, calling at once; checked by the
// start-up's own rules and messages; kept across a restart and an unchanged
// SIGHUP; removed only when nothing refers to it; never showing a password.
#include "tests/integration/node_fixture.hpp"
#include "tests/integration/wss_helpers.hpp"
#include "tests/integration/reply_fields.hpp"
#include "tests/support/http_call.hpp"
#include "tests/support/soap_samples.hpp"

#include "tests/support/catch.hpp"

using namespace qaqpa;
using namespace qaqpa::test;

namespace {

/// A synchronous call to "echo" as `who`; the errorCode of its fault, or "OK".
std::string echo_as(gateway& gw, const std::string& who, const std::string& password) {
    sample_request r;
    r.sender = who;
    r.password = password;
    const auto reply = soap_post(gw.port(), "/bip-sync/", sync_request_xml(r));
    return reply.status == 200 ? "OK" : field(reply.body, "errorCode");
}

} // namespace

TEST_CASE("admin: a system added through the API calls at once, and survives a restart", "[integration][admin][registry]") {
    gateway gw;
    CHECK(echo_as(gw, "acme", "acme-password") == "AUTH_FAILED");

    auto added = admin_call(gw, "POST", "/admin/v1/systems",
                       R"({"id":"acme","password":"acme-password","bin":"123456789012"})");
    INFO(added.body);
    REQUIRE(added.status == 201);
    CHECK(added.body == R"({"id":"acme","bin":"123456789012","address":"","protocol":"soap"})"); // no password, no hash
    CHECK(echo_as(gw, "acme", "acme-password") == "ACCESS_DENIED");
    REQUIRE(admin_call(gw, "POST", "/admin/v1/access", R"({"system":"acme","service":"echo","timeout_ms":3000})").status ==
            201);
    CHECK(echo_as(gw, "acme", "acme-password") == "OK");
    CHECK(echo_as(gw, "acme", "wrong") == "AUTH_FAILED");

    const auto listed = admin_call(gw, "GET", "/admin/v1/systems");
    CHECK(listed.body.find("\"acme\"") != std::string::npos);
    CHECK(listed.body.find("password") == std::string::npos);
    CHECK(listed.body.find("scrypt") == std::string::npos);
    CHECK(admin_call(gw, "GET", "/admin/v1/access/acme/echo").body == R"({"system":"acme","service":"echo","timeout_ms":3000})");

    // An unchanged file applied again (SIGHUP) keeps what the API added; so does a restart.
    gw.reload({});
    CHECK(echo_as(gw, "acme", "acme-password") == "OK");
    gw.restart();
    CHECK(echo_as(gw, "acme", "acme-password") == "OK");
    CHECK(admin_call(gw, "GET", "/admin/v1/systems/acme").status == 200);

    // A new password through PUT (the rest given again: PUT replaces the entry).
    auto changed = admin_call(gw, "PUT", "/admin/v1/systems/acme", R"({"password":"new-password","bin":"123456789012"})");
    CHECK(changed.status == 200);
    CHECK(echo_as(gw, "acme", "acme-password") == "AUTH_FAILED");
    CHECK(echo_as(gw, "acme", "new-password") == "OK");
    // Without a password the hash stays.
    REQUIRE(admin_call(gw, "PUT", "/admin/v1/systems/acme", R"({"bin":"123456789012","address":""})").status == 200);
    CHECK(echo_as(gw, "acme", "new-password") == "OK");

    // Removed: refused while referred to, then gone at once.
    auto refused = admin_call(gw, "DELETE", "/admin/v1/systems/acme");
    CHECK(refused.status == 409);
    CHECK(refused.body.find("access[") != std::string::npos);
    CHECK(admin_call(gw, "DELETE", "/admin/v1/access/acme/echo").status == 204);
    CHECK(echo_as(gw, "acme", "new-password") == "ACCESS_DENIED");
    CHECK(admin_call(gw, "DELETE", "/admin/v1/systems/acme").status == 204);
    CHECK(echo_as(gw, "acme", "new-password") == "AUTH_FAILED");
    CHECK(admin_call(gw, "GET", "/admin/v1/systems/acme").status == 404);
    gw.restart();
    CHECK(admin_call(gw, "GET", "/admin/v1/systems/acme").status == 404);
}

TEST_CASE("admin: registry entries are checked with the start-up's rules and messages", "[integration][admin][registry]") {
    gateway gw;
    const auto refused = [&](const std::string& method, const std::string& target, const std::string& body) {
        const auto r = admin_call(gw, method, target, body);
        INFO(r.body);
        CHECK(r.status == 400);
        return r.body;
    };
    // The same words the file gets at start-up (config_test checks those).
    CHECK(refused("POST", "/admin/v1/systems", R"({"id":"x","password":"p","bin":"12"})")
              .find("systems.bin: must be 12 digits") != std::string::npos);
    CHECK(refused("POST", "/admin/v1/systems", R"({"id":"x","bin":"123456789012"})")
              .find("systems.password_hash: required key is missing") != std::string::npos);
    CHECK(refused("POST", "/admin/v1/systems", R"({"id":"x","password":"p","colour":"red"})")
              .find("systems.colour: unknown key") != std::string::npos);
    CHECK(refused("POST", "/admin/v1/systems", R"({"id":"x","password_hash":"plain"})")
              .find("systems.password_hash: not a hash from qaqpa hash-password") != std::string::npos);
    CHECK(refused("POST", "/admin/v1/delivery-points", R"({"id":"p","url":"ftp://x"})")
              .find("delivery_points.url: must be an http:// or https:// URL, or builtin:echo") != std::string::npos);
    CHECK(refused("POST", "/admin/v1/delivery-points", R"({"id":"p","url":"http://127.0.0.1:9/","retries":"ten"})")
              .find("delivery_points.retries: must be an integer") != std::string::npos);
    CHECK(refused("POST", "/admin/v1/services", R"({"id":"s","owner":"nobody","delivery_point":"echo"})")
              .find("owner: no system with id \\\"nobody\\\"") != std::string::npos);
    CHECK(refused("POST", "/admin/v1/access", R"({"system":"sender","service":"none"})")
              .find("service: no service with id \\\"none\\\"") != std::string::npos);
    CHECK(refused("PUT", "/admin/v1/services/echo", R"({"id":"other","owner":"owner"})")
              .find("services.id: differs from the path's \\\"echo\\\"") != std::string::npos);
    CHECK(refused("POST", "/admin/v1/systems", "not json").find("not a JSON object") != std::string::npos);
    // a security mode this gateway (no [security]) cannot apply, as start-up refuses it
    CHECK(refused("POST", "/admin/v1/delivery-points", R"({"id":"p","url":"http://127.0.0.1:9/","security_mode":1})")
              .find("security_mode: mode 1 needs [security] gateway_cert and gateway_key") != std::string::npos);
    // a point's encrypt_to must be a readable RSA certificate
    CHECK(refused("POST", "/admin/v1/delivery-points", R"({"id":"p","url":"http://127.0.0.1:9/","encrypt_to":"p.pem"})")
              .find("delivery_points.encrypt_to: must be an absolute path through the admin API") != std::string::npos);
    CHECK(refused("POST", "/admin/v1/delivery-points",
                  R"({"id":"p","url":"https://127.0.0.1:9/","client_cert":{"cert":"/pki/c.pem","key":"c.key"}})")
              .find("delivery_points.client_cert.key: must be an absolute path through the admin API") !=
          std::string::npos);
    CHECK(refused("POST", "/admin/v1/delivery-points", R"({"id":"p","url":"http://127.0.0.1:9/","encrypt_to":"/no/such.pem"})")
              .find("delivery point \\\"p\\\": encrypt_to: cannot read") != std::string::npos);
    CHECK(refused("PUT", "/admin/v1/access/sender/echo", R"({"security_mode":2})")
              .find("security_mode: mode 2 needs [security]") != std::string::npos);
    CHECK(admin_call(gw, "POST", "/admin/v1/systems", R"({"id":"sender","password":"p"})").status == 409);
    CHECK(admin_call(gw, "DELETE", "/admin/v1/services/none").status == 404);
    CHECK(http_request(gw.node().admin_port(), "GET", "/admin/v1/systems").status == 401);
    // Nothing refused changed anything.
    CHECK(echo_as(gw, "sender", "sender-password") == "OK");
    CHECK(admin_call(gw, "GET", "/admin/v1/services").body.find("\"id\":\"s\"") == std::string::npos);

    // A delivery point changed through the API: its policy applies at once.
    auto point = admin_call(gw, "PUT", "/admin/v1/delivery-points/echo", R"({"url":"builtin:echo","throttle":{"requests":1,"window_s":60}})");
    INFO(point.body);
    CHECK(point.status == 200);
    CHECK(point.body.find(R"("throttle":{"requests":1,"window_s":60})") != std::string::npos);
    CHECK(echo_as(gw, "sender", "sender-password") == "OK");
    CHECK(echo_as(gw, "sender", "sender-password") == "THROTTLED");
}

TEST_CASE("entries stored through the API are checked against the [security] of the next start", "[integration][admin]") {
    gateway gw(secured());
    const auto added = admin_call(gw, "POST", "/admin/v1/delivery-points",
                                  R"({"id":"signed","url":"http://127.0.0.1:9/","security_mode":1})");
    INFO(added.body);
    REQUIRE(added.status == 201);
    // the keys gone from the file: the stored point could not be served as it asks
    const auto refused = gw.restart_with(node_settings{});
    REQUIRE(refused);
    CHECK(refused->code == errc::bad_config);
    INFO(refused->detail);
    CHECK(refused->detail.find("the stored registry: delivery_points[") != std::string::npos);
    CHECK(refused->detail.find("].security_mode: mode 1 needs [security] gateway_cert and gateway_key") !=
          std::string::npos);
    CHECK_FALSE(gw.restart_with(secured())); // and with them back it starts
}
