// The synchronous channel end to end: caller → gateway → provider → caller.
#include "tests/integration/node_fixture.hpp"
#include "tests/integration/reply_fields.hpp"
#include "tests/support/fake_provider.hpp"
#include "tests/support/http_call.hpp"
#include "tests/support/soap_samples.hpp"
#include "tests/support/xsd_check.hpp"

#include "tests/support/catch.hpp"

#include <thread>

using namespace qaqpa;
using namespace qaqpa::test;

namespace {

void check_valid(const std::string& envelope) {
    if (!shep_reference_dir()) {
        WARN("XSD check skipped: ../shared/reference/shep-wsdl is absent");
        return;
    }
    INFO(envelope);
    CHECK(validate_body(envelope, sync_types_ns) == "");
}

http_reply call(std::uint16_t port, const sample_request& r) { return soap_post(port, "/bip-sync/", sync_request_xml(r)); }

void check_fault(const http_reply& reply, std::string_view code) {
    INFO(reply.error << reply.body);
    CHECK(reply.status == 500);
    CHECK(field(reply.body, "errorCode") == code);
    CHECK(braced_guid(field(reply.body, "sessionId")));
    CHECK(reply.body.find("SendMessageFault1_SendMessageFault") != std::string::npos);
    check_valid(reply.body);
}

} // namespace

TEST_CASE("the built-in echo answers with the payload and a gateway sessionId", "[integration][sync]") {
    gateway gw;
    sample_request r;
    r.service = "echo";
    const auto reply = call(gw.port(), r);
    INFO(reply.error << reply.body);
    REQUIRE(reply.status == 200);
    CHECK(reply.header("content-type") == "text/xml; charset=utf-8");
    CHECK(field(reply.body, "code") == "OK");
    CHECK(braced_guid(field(reply.body, "sessionId")));
    CHECK(reply.body.find(r.payload) != std::string::npos); // UTF-8 bytes survive both ways
    check_valid(reply.body);
}

TEST_CASE("the provider gets the gateway's sessionId and credentials and the payload verbatim", "[integration][sync]") {
    fake_provider provider(provider_mode::echo);
    gateway gw(remote(provider.url()));
    sample_request r;
    r.service = "remote";
    r.payload = "<x:doc xmlns:x=\"urn:x\" a=\"1\">  Қазақстан &amp; <![CDATA[<raw>]]> <!-- c --></x:doc>";
    const auto reply = call(gw.port(), r);
    INFO(reply.error << reply.body);
    REQUIRE(reply.status == 200);

    REQUIRE(provider.request_count() == 1);
    const auto got = provider.requests().front();
    CHECK(got.content_type.rfind("text/xml", 0) == 0);
    CHECK(got.has_soap_action);
    CHECK(got.soap_action == "\"\"");
    CHECK(got.body.find(r.payload) != std::string::npos);
    CHECK(field(got.body, "senderId") == "gw-login");
    CHECK(field(got.body, "password") == "gw-password");
    CHECK(got.body.find("sender-password") == std::string::npos);
    const auto session = field(got.body, "sessionId");
    CHECK(braced_guid(session));

    // The answer is the provider's, with the gateway's sessionId.
    CHECK(field(reply.body, "messageId") == "provider-msg-1");
    CHECK(field(reply.body, "correlationId") == "provider-chain-1");
    CHECK(field(reply.body, "code") == "PROVIDED");
    CHECK(field(reply.body, "sessionId") == session);
    CHECK(reply.body.find(r.payload) != std::string::npos);
    check_valid(reply.body);
}

TEST_CASE("provider connections are kept alive and reused", "[integration][sync]") {
    fake_provider provider(provider_mode::echo);
    gateway gw(remote(provider.url()));
    sample_request r;
    r.service = "remote";
    for (int i = 0; i < 20; ++i) REQUIRE(call(gw.port(), r).status == 200);
    CHECK(provider.request_count() == 20);
    CHECK(provider.connection_count() <= 2); // at most one per gateway thread
}

TEST_CASE("caller faults: authentication, service, access, channel, route", "[integration][sync]") {
    gateway gw;
    sample_request r;
    r.password = "wrong";
    check_fault(call(gw.port(), r), "AUTH_FAILED");
    r = {};
    r.sender = "nobody";
    check_fault(call(gw.port(), r), "AUTH_FAILED");
    r = {};
    r.service = "no-such-service";
    check_fault(call(gw.port(), r), "UNKNOWN_SERVICE");
    r = {};
    r.sender = "stranger";
    r.password = "stranger-password";
    check_fault(call(gw.port(), r), "ACCESS_DENIED");
    r = {};
    r.service = "async-only";
    check_fault(call(gw.port(), r), "WRONG_CHANNEL");
    r = {};
    r.service = "routed";
    r.route_id = "zzz";
    check_fault(call(gw.port(), r), "UNKNOWN_ROUTE");
}

TEST_CASE("routeId picks the delivery point", "[integration][sync]") {
    fake_provider provider(provider_mode::echo);
    gateway gw(remote(provider.url()));
    sample_request r;
    r.service = "routed";
    r.route_id = "a";
    auto reply = call(gw.port(), r);
    REQUIRE(reply.status == 200);
    CHECK(field(reply.body, "code") == "OK"); // built-in echo
    CHECK(provider.request_count() == 0);
    r.route_id = "b";
    reply = call(gw.port(), r);
    REQUIRE(reply.status == 200);
    CHECK(field(reply.body, "code") == "PROVIDED");
    CHECK(provider.request_count() == 1);
}

TEST_CASE("provider failures: unreachable, timeout, fault, not SOAP, hang-up", "[integration][sync]") {
    sample_request r;
    r.service = "remote";
    SECTION("unreachable") {
        gateway gw(remote("http://127.0.0.1:" + std::to_string(closed_port()) + "/"));
        check_fault(call(gw.port(), r), "PROVIDER_UNREACHABLE");
    }
    SECTION("timeout: the service's timeout_ms bounds the wait") {
        fake_provider slow(provider_mode::slow, std::chrono::milliseconds(3000));
        gateway gw(remote(slow.url(), 300));
        const auto start = std::chrono::steady_clock::now();
        const auto reply = call(gw.port(), r);
        const auto waited = std::chrono::steady_clock::now() - start;
        check_fault(reply, "PROVIDER_TIMEOUT");
        CHECK(waited < std::chrono::milliseconds(2000));
    }
    SECTION("fault: the provider's ErrorInfo is the subError") {
        fake_provider failing(provider_mode::fault);
        gateway gw(remote(failing.url()));
        const auto reply = call(gw.port(), r);
        check_fault(reply, "PROVIDER_FAULT");
        CHECK(field(field(reply.body, "subError"), "errorCode") == "PROVIDER-42");
    }
    SECTION("not SOAP") {
        fake_provider garbage(provider_mode::garbage);
        gateway gw(remote(garbage.url()));
        check_fault(call(gw.port(), r), "PROVIDER_BAD_RESPONSE");
    }
    SECTION("an answer over max_body_bytes") {
        fake_provider huge(provider_mode::huge);
        gateway gw(remote(huge.url()));
        const auto reply = call(gw.port(), r);
        check_fault(reply, "PROVIDER_BAD_RESPONSE");
        CHECK(field(reply.body, "errorMessage").find("too large") != std::string::npos);
    }
    SECTION("hang-up") {
        fake_provider closing(provider_mode::close);
        gateway gw(remote(closing.url()));
        check_fault(call(gw.port(), r), "PROVIDER_UNREACHABLE");
    }
}

TEST_CASE("every XML content type real clients send is accepted; SOAP 1.2 is answered in 1.2", "[integration][sync]") {
    gateway gw;
    const auto body = sync_request_xml({});
    for (const char* ct : {"text/xml", "text/xml; charset=UTF-8", "application/xml", "application/soap+xml; charset=utf-8"}) {
        INFO(ct);
        CHECK(soap_post(gw.port(), "/bip-sync/", body, ct).status == 200);
    }
    auto v12 = body;
    v12.replace(v12.find("http://schemas.xmlsoap.org/soap/envelope/"), 41, "http://www.w3.org/2003/05/soap-envelope");
    const auto reply = soap_post(gw.port(), "/bip-sync", v12, "application/soap+xml");
    REQUIRE(reply.status == 200);
    CHECK(reply.header("content-type").rfind("application/soap+xml", 0) == 0);
    CHECK(reply.body.find("http://www.w3.org/2003/05/soap-envelope") != std::string::npos);
}

TEST_CASE("concurrent callers all get their own answers", "[integration][sync]") {
    fake_provider provider(provider_mode::echo, {}, 2);
    gateway gw(remote(provider.url()));
    std::atomic<int> ok{0};
    std::vector<std::thread> callers;
    for (int t = 0; t < 8; ++t)
        callers.emplace_back([&, t] {
            for (int i = 0; i < 25; ++i) {
                sample_request r;
                r.service = (i % 2) ? "remote" : "echo";
                r.payload = "<n>" + std::to_string(t * 1000 + i) + "</n>";
                const auto reply = call(gw.port(), r);
                if (reply.status == 200 && reply.body.find(r.payload) != std::string::npos) ++ok;
            }
        });
    for (auto& c : callers) c.join();
    CHECK(ok == 200);
}

TEST_CASE("the signed endpoint refuses unsigned calls with SIGNATURE_REQUIRED", "[integration][sync]") {
    gateway gw;
    check_fault(soap_post(gw.port(), "/bip-sync-wss-gost/", sync_request_xml({})), "SIGNATURE_REQUIRED");
}

TEST_CASE("another channel's operation on the sync path is UNKNOWN_OPERATION", "[integration][sync]") {
    gateway gw;
    const std::string body = R"(<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>
        <a:getMessages xmlns:a="http://bip.bee.kz/AsyncChannel/v10/Types"><request><serviceId>echo</serviceId>
        </request></a:getMessages></s:Body></s:Envelope>)";
    const auto reply = soap_post(gw.port(), "/bip-sync/", body);
    check_fault(reply, "UNKNOWN_OPERATION");
    CHECK(field(reply.body, "errorMessage").find("getMessages") != std::string::npos);
}

namespace {

/// A registry addition: point and service "limited" (builtin echo) with the
/// point's `throttle` line, and sender's access row followed by `after_access`.
node_settings limited_point(const std::string& throttle, const std::string& after_access) {
    node_settings s;
    s.extra_registry = "[[delivery_points]]\nid = \"limited\"\nurl = \"builtin:echo\"\n" + throttle +
                       "\n[[services]]\nid = \"limited\"\nowner = \"owner\"\ndelivery_point = \"limited\"\n"
                       "[[access]]\nsystem = \"sender\"\nservice = \"limited\"\n" + after_access;
    return s;
}

} // namespace

TEST_CASE("a caller over the point's throttle gets THROTTLED at once, and room again after the window",
          "[integration][sync]") {
    gateway gw(limited_point("throttle = { requests = 2, window_s = 1 }", ""));
    sample_request r;
    r.service = "limited";
    CHECK(call(gw.port(), r).status == 200);
    CHECK(call(gw.port(), r).status == 200);
    const auto t0 = std::chrono::steady_clock::now();
    check_fault(call(gw.port(), r), "THROTTLED");
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::milliseconds(500)); // no waiting on the socket
    std::this_thread::sleep_for(std::chrono::milliseconds(1050));
    CHECK(call(gw.port(), r).status == 200);
}

TEST_CASE("an access right's own throttle counts that caller apart", "[integration][sync]") {
    gateway gw(limited_point("throttle = { requests = 5, window_s = 60 }",
                             "throttle = { requests = 1, window_s = 60 }\n"
                             "[[systems]]\nid = \"other\"\npassword = \"other-password\"\n"
                             "[[access]]\nsystem = \"other\"\nservice = \"limited\"\n"));
    sample_request mine;
    mine.service = "limited";
    sample_request theirs = mine;
    theirs.sender = "other";
    theirs.password = "other-password";
    CHECK(call(gw.port(), mine).status == 200);
    check_fault(call(gw.port(), mine), "THROTTLED"); // the override wins: 1 per minute for "sender"
    for (int i = 0; i < 5; ++i) CHECK(call(gw.port(), theirs).status == 200); // the point's 5 for the others
    check_fault(call(gw.port(), theirs), "THROTTLED");
}
