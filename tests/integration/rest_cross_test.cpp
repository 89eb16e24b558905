// REST and SOAP parties through one gateway: a payload crosses between the
// transports and comes back exactly, REST delivery points take synchronous
// calls and PUSHes with the same policies as SOAP ones, and status
// notifications reach a REST sender.
#include "tests/integration/async_helpers.hpp"
#include "tests/integration/node_fixture.hpp"
#include "tests/support/fake_provider.hpp"
#include "tests/support/soap_samples.hpp"

#include <boost/json.hpp>

#include <atomic>

using namespace qaqpa;
using namespace qaqpa::test;

namespace {

const std::string basic = "Basic c2VuZGVyOnNlbmRlci1wYXNzd29yZA=="; // sender:sender-password
const std::string json_data = R"({"n": 9007199254740993, "x": [1.50, "<&>", "Сәлем"], "e": {}})";

http_reply rest_post(std::uint16_t port, const std::string& operation, const std::string& body) {
    return http_request(port, "POST", "/api/v1/" + operation, body,
                        {{"Content-Type", "application/json"}, {"Authorization", basic}});
}

std::string rest_sync(const std::string& service, const std::string& data) {
    return R"({"request":{"requestInfo":{"messageId":"r1","serviceId":")" + service +
           R"(","messageDate":"2026-11-23T10:00:00+06:00","properties":[{"key":"k","value":"v"}]},"requestData":{"data":)" +
           data + "}}}";
}

std::string rest_send(const std::string& service, const std::string& data) {
    return R"({"request":{"messageInfo":{"serviceId":")" + service +
           R"(","messageType":"REQUEST","messageDate":"2026-11-23T10:00:00+06:00"},"messageData":{"data":)" + data + "}}}";
}

/// A REST recipient's or provider's answer: the sync mirror echoing `data`'s string, or a bare response.
custom_answer rest_echo(const received_request& r) {
    const auto doc = boost::json::parse(r.body);
    if (r.target.ends_with("/SendMessage")) {
        const auto& data = doc.at("request").at("requestData").at("data");
        return {200, "application/json",
                R"({"response":{"responseInfo":{"messageId":"p1","responseDate":"2026-11-23T10:00:01Z","status":{"code":"OK","message":"echo"}},"responseData":{"data":)" +
                    boost::json::serialize(data) + "}}}"};
    }
    return {200, "application/json", R"({"response":{"messageId":"taken"}})"};
}

std::string property_value(const boost::json::value& info, std::string_view key) {
    if (!info.as_object().contains("properties")) return {};
    for (const auto& p : info.at("properties").as_array())
        if (p.at("key").as_string() == key) return std::string(p.at("value").as_string());
    return {};
}

std::string point_state(gateway& gw, const std::string& point, std::string_view key) {
    const auto reply = admin_call(gw, "GET", "/admin/v1/delivery-points/" + point + "/state");
    return boost::json::serialize(boost::json::parse(reply.body).at(key));
}

} // namespace

TEST_CASE("REST caller to a SOAP provider: the JSON travels as marked text and comes back byte for byte",
          "[integration][rest]") {
    fake_provider provider(provider_mode::echo);
    gateway gw(remote(provider.url()));
    const auto reply = rest_post(gw.port(), "sync/SendMessage", rest_sync("remote", json_data));
    INFO(reply.body);
    REQUIRE(reply.status == 200);
    CHECK(reply.body.find(R"("data":)" + json_data) != std::string::npos);
    const auto got = provider.requests();
    REQUIRE(got.size() == 1);
    CHECK(got[0].content_type.starts_with("text/xml"));
    CHECK(got[0].body.find("<key>qaqpa.dataFormat</key><value>json</value>") != std::string::npos);
    CHECK(got[0].body.find("<data>{&quot;n&quot;: 9007199254740993, &quot;x&quot;: [1.50, &quot;&lt;&amp;&gt;&quot;") !=
          std::string::npos);
    CHECK(field(got[0].body, "senderId") == "gw-login"); // the point's credentials, as for SOAP callers
}

TEST_CASE("SOAP caller to a REST provider: the XML travels as a marked string and comes back byte for byte",
          "[integration][rest]") {
    fake_provider provider(provider_mode::custom);
    provider.answer_with(rest_echo);
    node_settings s;
    s.extra_registry = point_with_service("restsync", provider.url(), "protocol = \"rest\"", "", "mode = \"sync\"");
    gateway gw(s);
    sample_request r;
    r.service = "restsync-svc";
    r.payload = "<doc xmlns=\"urn:example\" a='1'>Сәлем &amp; <![CDATA[<raw>]]></doc>";
    const auto reply = soap_post(gw.port(), "/bip-sync/", sync_request_xml(r));
    INFO(reply.body);
    REQUIRE(reply.status == 200);
    CHECK(reply.body.find("<data>" + r.payload + "</data>") != std::string::npos);
    const auto got = provider.requests();
    REQUIRE(got.size() == 1);
    CHECK(got[0].target == "/provider/SendMessage"); // the point's URL, then the operation
    CHECK(got[0].content_type == "application/json");
    const auto sent = boost::json::parse(got[0].body).at("request");
    CHECK(sent.at("requestData").at("data").as_string() == r.payload);
    CHECK(property_value(sent.at("requestInfo"), "qaqpa.dataFormat") == "xml");
    CHECK(sent.at("requestInfo").at("sessionId").as_string().starts_with("{"));
}

TEST_CASE("a REST provider's error is a 502 with its ErrorInfo as subError; SOAP callers get a fault",
          "[integration][rest]") {
    fake_provider provider(provider_mode::custom);
    provider.answer_with([](const received_request&) {
        return custom_answer{422, "application/json",
                             R"({"errorCode":"P-7","errorMessage":"no such person","errorDate":"2026-11-23T10:00:00Z"})"};
    });
    node_settings s;
    s.extra_registry = point_with_service("restsync", provider.url(), "protocol = \"rest\"", "", "mode = \"sync\"");
    gateway gw(s);
    const auto reply = rest_post(gw.port(), "sync/SendMessage", rest_sync("restsync-svc", "1"));
    INFO(reply.body);
    CHECK(reply.status == 502);
    const auto e = boost::json::parse(reply.body);
    CHECK(e.at("errorCode") == "PROVIDER_FAULT");
    CHECK(e.at("subError").at("errorCode") == "P-7");
    sample_request r;
    r.service = "restsync-svc";
    const auto fault = soap_post(gw.port(), "/bip-sync/", sync_request_xml(r));
    CHECK(fault.status == 500);
    CHECK(field(fault.body, "errorCode") == "PROVIDER_FAULT");
}

TEST_CASE("REST sender to a SOAP recipient and back: the JSON value is restored exactly", "[integration][rest]") {
    fake_provider recipient(provider_mode::recipient);
    node_settings s;
    s.push_url = recipient.url();
    gateway gw(s);
    const auto accepted = rest_post(gw.port(), "async/sendMessage", rest_send("push-svc", json_data));
    INFO(accepted.body);
    REQUIRE(accepted.status == 200);
    const auto id = std::string(boost::json::parse(accepted.body).at("response").at("messageId").as_string());
    REQUIRE(eventually([&] { return state_of(gw.port(), sender_login, id) == "DELIVERED"; }));
    const auto got = recipient.requests();
    REQUIRE_FALSE(got.empty());
    const auto& pushed = got.back().body;
    check_valid(pushed); // still a valid sendMessage for a SOAP recipient
    CHECK(pushed.find("<key>qaqpa.dataFormat</key><value>json</value>") != std::string::npos);

    // The SOAP recipient answers in the chain with what it got, mark included:
    // a REST party pulling the answer gets the original value.
    async_send answer;
    answer.who = owner_login;
    answer.service = "push-svc";
    answer.type = "RESPONSE";
    answer.correlation_id = field(pushed, "correlationId");
    const auto data_start = pushed.find("<data>") + 6;
    answer.payload = pushed.substr(data_start, pushed.find("</data>") - data_start);
    auto xml = send_message_xml(answer);
    const auto props_at = xml.find("<sender>");
    REQUIRE(props_at != std::string::npos);
    xml.insert(xml.find("</sender>") + 9, "<properties><key>qaqpa.dataFormat</key><value>json</value></properties>");
    REQUIRE(soap_post(gw.port(), "/bip-async/", xml).status == 200);
    const auto pulled = rest_post(gw.port(), "async/getMessages", R"({"request":{"serviceId":"push-svc"}})");
    INFO(pulled.body);
    REQUIRE(pulled.status == 200);
    CHECK(pulled.body.find(R"("data":)" + json_data) != std::string::npos);
    CHECK(pulled.body.find("qaqpa.dataFormat") == std::string::npos); // the mark is the transports' business
}

TEST_CASE("a REST delivery point: PUSHes retried until taken, then shut down after repeated errors",
          "[integration][rest]") {
    fake_provider recipient(provider_mode::custom);
    std::atomic<int> refuse{2};
    recipient.answer_with([&](const received_request& r) {
        if (refuse.fetch_sub(1) > 0) return custom_answer{503, "application/json", R"({"errorCode":"BUSY","errorMessage":"later"})"};
        return rest_echo(r);
    });
    node_settings s;
    s.extra_registry = point_with_service("restpush", recipient.url(),
                                          "protocol = \"rest\"\nretries = 5\nbackoff_ms = 20\nbackoff_max_ms = 40");
    gateway gw(s);
    async_send m;
    m.service = "restpush-svc";
    const auto a = accept(gw.port(), m);
    REQUIRE(eventually([&] { return state_of(gw.port(), sender_login, a.message_id) == "DELIVERED"; }));
    const auto got = recipient.requests();
    REQUIRE(got.size() == 3);
    CHECK(got[2].target == "/provider/sendMessage");
    const auto pushed = boost::json::parse(got[2].body).at("request");
    CHECK(pushed.at("messageInfo").at("messageId").as_string() == a.message_id);
    CHECK(pushed.at("messageData").at("data").as_string() == m.payload);
    CHECK(property_value(pushed.at("messageInfo"), "qaqpa.dataFormat") == "xml");
    CHECK(point_state(gw, "restpush", "failures") == "2");

    // A reply of the wrong shape is a failure too; two in a minute switch the point off.
    fake_provider broken(provider_mode::custom);
    broken.answer_with([](const received_request&) { return custom_answer{200, "application/json", R"({"ok":true})"}; });
    node_settings off;
    off.extra_registry = point_with_service("restpush", broken.url(),
                                            "protocol = \"rest\"\nretries = 5\nbackoff_ms = 20\n"
                                            "error_shutdown = { errors = 2, window_s = 60 }");
    gateway gw2(off);
    accept(gw2.port(), m);
    REQUIRE(eventually([&] { return point_state(gw2, "restpush", "enabled") == "false"; }));
    CHECK(broken.request_count() == 2);
}

TEST_CASE("status notifications reach a REST sender's address as JSON", "[integration][rest]") {
    fake_provider recipient(provider_mode::recipient);
    fake_provider sender_system(provider_mode::custom);
    sender_system.answer_with(rest_echo);
    node_settings s;
    s.push_url = recipient.url();
    s.sender_address = sender_system.url();
    s.sender_protocol = "rest";
    gateway gw(s);
    const auto a = accept(gw.port(), [] {
        async_send m;
        m.service = "push-svc"; // notify_status
        return m;
    }());
    REQUIRE(eventually([&] {
        for (const auto& r : sender_system.requests())
            if (r.body.find("DELIVERED") != std::string::npos) return true;
        return false;
    }));
    const auto got = sender_system.requests();
    CHECK(got.back().target == "/provider/changeMassageStatusNotification");
    const auto n = boost::json::parse(got.back().body).at("request").at("notification");
    CHECK(n.at("messageId").as_string() == a.message_id);
    CHECK(n.at("messageState") == "DELIVERED");
}
