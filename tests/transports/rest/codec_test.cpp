#include "transports/rest/codec.hpp"
#include "transports/rest/detail/json_source.hpp"
#include "transports/soap/async_codec.hpp"
#include "transports/soap/sync_codec.hpp"

#include "tests/support/catch.hpp"

#include <boost/json.hpp>

#include <array>

using namespace qaqpa;

namespace {

const std::optional<sender_info> no_basic;

std::string sync_body(const std::string& info_extra, const std::string& data, const std::string& sender =
                                                                                 R"("sender":{"senderId":"s","password":"p"},)") {
    return R"({"request":{"requestInfo":{"messageId":"m1","serviceId":"svc","messageDate":"2026-11-23T10:00:00+06:00",)" +
           sender + info_extra + R"("routeId":"r"},"requestData":{"data":)" + data + "}}}";
}

std::string error_of(const result<sync_request>& r) { return r ? std::string("accepted") : r.error().detail; }

} // namespace

TEST_CASE("REST: a synchronous request keeps its data as the text that came", "[unit][rest]") {
    const std::string data = R"({ "n" : 9007199254740993, "big": 123456789012345678901234567890, "x": 1.50e0, "s": "\u0410" })";
    auto r = rest::parse_sync_request(sync_body("", data), no_basic);
    REQUIRE(r);
    CHECK(r->info.message_id == "m1");
    CHECK(r->info.service_id == "svc");
    CHECK(r->info.route_id == "r");
    CHECK(r->info.sender.sender_id == "s");
    CHECK(r->info.sender.password == "p");
    CHECK(r->data.present);
    CHECK(r->data.format == payload_format::json);
    CHECK(r->data.content == data);
    // strings holding braces, quotes and escapes do not confuse where the value ends
    const std::string tricky = R"(["}", "\"]", {"a": "{[\\"}, "\\\"}", "\\\\"])";
    r = rest::parse_sync_request(sync_body("", tricky), no_basic);
    REQUIRE(r);
    CHECK(r->data.content == tricky);
    r = rest::parse_sync_request(sync_body("", "-0.0e-5"), no_basic);
    REQUIRE(r);
    CHECK(r->data.content == "-0.0e-5");
}

TEST_CASE("REST: HTTP Basic stands for the sender and must agree with one the body has", "[unit][rest]") {
    const std::optional<sender_info> basic = sender_info{"s", "p"};
    auto r = rest::parse_sync_request(sync_body("", "1", ""), basic);
    REQUIRE(r);
    CHECK(r->info.sender.sender_id == "s");
    CHECK(r->info.sender.password == "p");
    r = rest::parse_sync_request(sync_body("", "1", R"("sender":{"senderId":"s"},)"), basic);
    REQUIRE(r);
    CHECK(r->info.sender.password == "p");
    CHECK(error_of(rest::parse_sync_request(sync_body("", "1", R"("sender":{"senderId":"other"},)"), basic)) ==
          "request/requestInfo/sender/senderId is not the HTTP Basic user");
    CHECK(error_of(rest::parse_sync_request(sync_body("", "1", R"("sender":{"senderId":"s","password":"q"},)"), basic)) ==
          "request/requestInfo/sender/password is not the HTTP Basic password");
    CHECK(error_of(rest::parse_sync_request(sync_body("", "1", ""), no_basic)) ==
          "request/requestInfo/sender is missing (or send HTTP Basic credentials)");
}

TEST_CASE("REST: each kind of bad JSON is refused, naming the field", "[unit][rest]") {
    auto refused = [](std::string_view body) {
        auto r = rest::parse_sync_request(body, no_basic);
        REQUIRE_FALSE(r);
        CHECK(r.error().code == errc::invalid_request);
        return r.error().detail;
    };
    CHECK(refused("") == "the body is empty; a JSON object is expected");
    CHECK(refused(R"({"request": )").starts_with("the body is not JSON"));
    CHECK(refused(R"({"request": {}} trailing)").starts_with("the body is not JSON"));
    CHECK(refused(R"({"request": {},})").starts_with("the body is not JSON"));
    CHECK(refused("[1]") == "the body must be a JSON object");
    CHECK(refused("{}") == "/request is missing");
    CHECK(refused(R"({"request": 5})") == "/request must be an object");
    CHECK(refused(sync_body(R"("messageId":"again",)", "1")) == "request/requestInfo/messageId is repeated");
    CHECK(refused(sync_body(R"("m\u0065ssageId":"again",)", "1")) == "request/requestInfo/messageId is repeated");
    CHECK(refused(sync_body(R"("colour":"red",)", "1")) == "request/requestInfo/colour is not a field here");
    CHECK(refused(sync_body(R"("correlationId":7,)", "1")) == "request/requestInfo/correlationId must be a string");
    CHECK(refused(sync_body(R"("properties":{"key":"k"},)", "1")) == "request/requestInfo/properties must be an array");
    CHECK(refused(sync_body(R"("properties":[{"value":"v"}],)", "1")) == "request/requestInfo/properties/0/key is missing");
    CHECK(refused(R"({"request":{"requestInfo":{"messageId":"m","serviceId":"s","messageDate":"yesterday","sender":{"senderId":"s"}},"requestData":{}}})") ==
          "request/requestInfo/messageDate is not an xsd:dateTime");
    // the payload's own keys are the sender's business, carried as they came
    CHECK(rest::parse_sync_request(sync_body("", R"({"a":1,"a":2})"), no_basic));
    // invalid UTF-8 is not JSON
    CHECK(refused(sync_body("", "\"\xff\"")).starts_with("the body is not JSON"));
}

TEST_CASE("REST: a string marked as XML becomes an XML payload, and must be well formed", "[unit][rest]") {
    const std::string mark = R"("properties":[{"key":"k","value":"v"},{"key":"qaqpa.dataFormat","value":"xml"},{"key":"qaqpa.dataAttributes","value":"xmlns:a=\"urn:a\""}],)";
    auto r = rest::parse_sync_request(sync_body(mark, R"("<a:x>1 &amp; 2</a:x>")"), no_basic);
    REQUIRE(r);
    CHECK(r->data.format == payload_format::xml);
    CHECK(r->data.content == "<a:x>1 &amp; 2</a:x>");
    CHECK(r->data.attributes == "xmlns:a=\"urn:a\"");
    REQUIRE(r->info.properties.size() == 1); // the marks are dropped
    CHECK(r->info.properties[0].key == "k");
    CHECK(error_of(rest::parse_sync_request(sync_body(mark, R"("</data><evil/>")"), no_basic)) ==
          "request/requestData/data is not well-formed XML content");
    CHECK(error_of(rest::parse_sync_request(sync_body(mark, R"("<!DOCTYPE x [<!ENTITY e 'x'>]><x/>")"), no_basic)) ==
          "request/requestData/data is not well-formed XML content");
    CHECK(error_of(rest::parse_sync_request(sync_body(mark, R"({"x":1})"), no_basic)) ==
          "request/requestData/data must be a string holding XML (qaqpa.dataFormat = xml)");
}

TEST_CASE("REST: the asynchronous operations read their mirrors", "[unit][rest]") {
    auto m = rest::parse_send_message(
        R"({"request":{"messageInfo":{"serviceId":"svc","messageType":"RESPONSE","correlationId":"c","messageDate":"2026-11-23T10:00:00Z","sender":{"senderId":"s","password":"p"}},"messageData":{"data":null}}})",
        no_basic);
    REQUIRE(m);
    CHECK(m->info.type == message_type::response);
    CHECK(m->info.correlation_id == "c");
    CHECK(m->data.content == "null");
    auto no_data = rest::parse_send_message(
        R"({"request":{"messageInfo":{"serviceId":"svc","messageType":"REQUEST","messageDate":"2026-11-23T10:00:00Z","sender":{"senderId":"s"}},"messageData":{}}})",
        no_basic);
    REQUIRE_FALSE(no_data);
    CHECK(no_data.error().detail == "request/messageData/data is missing");
    auto bad_type = rest::parse_send_message(
        R"({"request":{"messageInfo":{"serviceId":"svc","messageType":"ORDER","messageDate":"2026-11-23T10:00:00Z","sender":{"senderId":"s"}},"messageData":{"data":1}}})",
        no_basic);
    REQUIRE_FALSE(bad_type);
    CHECK(bad_type.error().detail == "request/messageInfo/messageType must be REQUEST, RESPONSE, UPDATE or NOTIFICATION");

    auto pull = rest::parse_get_messages(R"({"request":{"serviceId":"svc","amount":5000000000}})", 1000,
                                         sender_info{"s", "p"});
    REQUIRE(pull);
    CHECK(pull->amount == 1000);
    CHECK(pull->sender->sender_id == "s");
    auto negative = rest::parse_get_messages(R"({"request":{"serviceId":"svc","amount":-1}})", 1000, no_basic);
    REQUIRE_FALSE(negative);
    CHECK(negative.error().detail == "request/amount must not be negative");
    CHECK(rest::parse_get_messages(R"({"request":{"serviceId":"svc","amount":"5"}})", 1000, no_basic).error().detail ==
          "request/amount must be an integer");

    auto report = rest::parse_delivery_notification(
        R"({"request":{"requestDate":"2026-11-23T10:00:00Z","sender":{"senderId":"s","password":"p"},"notification":{"messageId":"m","serviceId":"svc","notificationDate":"2026-11-23T10:00:00Z","deliveryStatus":{"receiveStatus":"MESSAGE_NOT_ACCTEPTED","statusDate":"2026-11-23T10:00:00Z","resendMessage":"RESEND","error":{"errorCode":"E1","errorMessage":"broken"}}}}})",
        no_basic);
    REQUIRE(report);
    CHECK(report->status == receive_status::not_accepted);
    CHECK(report->resend == resend_choice::resend);
    CHECK(report->error->code == "E1");

    auto status = rest::parse_status_query(R"({"request":{"messageId":"m","requestDate":"2026-11-23T10:00:00Z"}})",
                                           sender_info{"s", "p"});
    REQUIRE(status);
    CHECK(status->message_id == "m");
    CHECK(status->sender.sender_id == "s");
}

TEST_CASE("REST: answers are {\"response\": …} mirrors; XML answers become JSON where they are JSON text", "[unit][rest]") {
    sync_response res;
    res.info = {"m", std::string("c"), "2026-11-23T10:00:00Z", "OK", "fine", std::string("{s}")};
    res.data = {true, payload_format::xml, "", " {\"n\": 9007199254740993} "};
    auto doc = boost::json::parse(rest::build_sync_response(res));
    CHECK(doc.at("response").at("responseInfo").at("status").at("code") == "OK");
    CHECK(rest::build_sync_response(res).find("9007199254740993") != std::string::npos);
    CHECK(doc.at("response").at("responseData").at("data").at("n").is_int64());
    res.data = {true, payload_format::xml, "", "<g xmlns=\"urn:x\">hi</g>"};
    CHECK(boost::json::parse(rest::build_sync_response(res)).at("response").at("responseData").at("data") ==
          "<g xmlns=\"urn:x\">hi</g>");
    res.data = {true, payload_format::xml, "", "&quot;quoted&quot;"}; // a text node holding a JSON string
    CHECK(boost::json::parse(rest::build_sync_response(res)).at("response").at("responseData").at("data") == "quoted");

    async_message m;
    m.info.message_id = "id";
    m.info.service_id = "svc";
    m.info.message_date = "2026-11-23T10:00:00Z";
    m.info.sender.sender_id = "s";
    m.info.properties = {{"k", "v"}};
    m.data = {true, payload_format::xml, "xmlns:a=\"urn:a\"", "<a:x/>"};
    auto list = boost::json::parse(rest::build_messages("{s}", {m}));
    const auto& got = list.at("response").at("messages").at(0);
    CHECK(got.at("messageData").at("data") == "<a:x/>");
    const auto& props = got.at("messageInfo").at("properties").as_array();
    REQUIRE(props.size() == 3);
    CHECK(props[1].at("key") == "qaqpa.dataFormat");
    CHECK(props[1].at("value") == "xml");
    CHECK(props[2].at("value") == "xmlns:a=\"urn:a\"");

    // a REST recipient sending the message on restores the XML exactly
    auto again = rest::parse_send_message(std::string(R"({"request":{"messageInfo":)") +
                                              boost::json::serialize(got.at("messageInfo")) +
                                              R"(,"messageData":{"data":"<a:x/>"}}})",
                                          no_basic);
    REQUIRE(again);
    CHECK(again->data.format == payload_format::xml);
    CHECK(again->data.content == "<a:x/>");
    CHECK(again->data.attributes == "xmlns:a=\"urn:a\"");
    REQUIRE(again->info.properties.size() == 1);
    error_info e{"AUTH_FAILED", "no", std::nullopt, "2026-11-23T10:00:00Z",
                 std::make_shared<error_info>(error_info{"SUB", "inner", std::nullopt, "d", nullptr, std::nullopt}),
                 std::string("{s}")};
    auto err = boost::json::parse(rest::build_error(e));
    CHECK(err.at("errorCode") == "AUTH_FAILED");
    CHECK(err.at("sessionId") == "{s}");
    CHECK(err.at("subError").at("errorCode") == "SUB");
}

TEST_CASE("SOAP: a JSON payload travels as marked text and comes back as the same JSON", "[unit][rest][soap]") {
    sync_request req;
    req.info.message_id = "m";
    req.info.service_id = "svc";
    req.info.message_date = "2026-11-23T10:00:00Z";
    req.info.sender = {"s", std::string("p")};
    req.info.properties = {{"k", "v"}};
    const std::string json = R"({"q": "<a&b>", "n": 9007199254740993})";
    req.data = {true, payload_format::json, "", json};
    const auto envelope = soap::build_sync_request(req);
    CHECK(envelope.find("<data>{&quot;q&quot;: &quot;&lt;a&amp;b&gt;&quot;") != std::string::npos);
    CHECK(envelope.find("<key>qaqpa.dataFormat</key><value>json</value>") != std::string::npos);
    soap::soap_version v;
    auto back = soap::parse_sync_request(envelope, v);
    REQUIRE(back);
    CHECK(back->request.data.format == payload_format::json);
    CHECK(back->request.data.content == json);
    REQUIRE(back->request.info.properties.size() == 1);

    // a mark on something that is not JSON text is refused
    auto broken = envelope;
    broken.replace(broken.find("<data>"), 6, "<data><x/>");
    auto refused = soap::parse_sync_request(broken, v);
    REQUIRE_FALSE(refused);
    CHECK(refused.error().detail == "request/requestData/data must be JSON text (qaqpa.dataFormat = json)");

    // an answer: a REST provider's string holding XML is XML for a SOAP caller; other values are their text
    sync_response res;
    res.info = {"m", std::nullopt, "2026-11-23T10:00:00Z", "OK", "", std::nullopt};
    res.data = {true, payload_format::json, "", R"("<g xmlns=\"urn:x\">hi</g>")"};
    CHECK(soap::build_sync_response(soap::soap_version::v11, res).find("<data><g xmlns=\"urn:x\">hi</g></data>") !=
          std::string::npos);
    res.data = {true, payload_format::json, "", R"("a < b")"};
    CHECK(soap::build_sync_response(soap::soap_version::v11, res).find("<data>&quot;a &lt; b&quot;</data>") !=
          std::string::npos);
}

TEST_CASE("REST: what providers and recipients answer", "[unit][rest]") {
    auto ok = rest::parse_sync_reply(
        200, R"({"response":{"responseInfo":{"messageId":"p1","responseDate":"2026-11-23T10:00:00Z","status":{"code":"OK","message":""}},"responseData":{"data":[1.10]}}})");
    REQUIRE(std::holds_alternative<sync_response>(ok));
    CHECK(std::get<sync_response>(ok).data.content == "[1.10]");
    auto fault = rest::parse_sync_reply(422, R"({"errorCode":"P-1","errorMessage":"no such person","errorDate":"2026-11-23T10:00:00Z"})");
    REQUIRE(std::holds_alternative<gateway_fault>(fault));
    CHECK(std::get<gateway_fault>(fault).cause.code == errc::provider_fault);
    CHECK(std::get<gateway_fault>(fault).sub_error->code == "P-1");
    auto html = rest::parse_sync_reply(200, "<html/>");
    CHECK(std::get<gateway_fault>(html).cause.code == errc::provider_bad_response);
    auto shape = rest::parse_sync_reply(200, R"({"result":1})");
    CHECK(std::get<gateway_fault>(shape).cause.code == errc::provider_bad_response);

    CHECK(rest::read_push_reply(200, R"({"response":{"messageId":"x"}})").delivered);
    CHECK_FALSE(rest::read_push_reply(200, R"({"ok":true})").delivered);
    CHECK_FALSE(rest::read_push_reply(503, R"({"response":{}})").delivered);
    CHECK(rest::read_push_reply(500, R"({"errorCode":"E","errorMessage":"down"})").reason == "HTTP 500: E: down");
}

TEST_CASE("REST: the source scan finds the value and repeated keys at any depth", "[unit][rest]") {
    constexpr std::array<std::string_view, 2> path{"a", "b"};
    auto facts = rest::detail::scan_source(R"( {"x":[{"y":1,"y":2}],"a":{"b": [ 1 , 2 ] }} )", path);
    CHECK(facts.value_at_path == "[ 1 , 2 ]");
    CHECK(facts.repeated_key == "x/0/y");
    facts = rest::detail::scan_source(R"({"a":{"b":true},"a":{}})", path);
    CHECK(facts.repeated_key == "a");
    facts = rest::detail::scan_source(R"({"a":{"c":"b"}})", path);
    CHECK_FALSE(facts.value_at_path);
}

TEST_CASE("REST and SOAP: the gateway's marks are refused when repeated or out of place", "[unit][rest][soap]") {
    const auto twice = R"("properties":[{"key":"qaqpa.dataFormat","value":"xml"},{"key":"qaqpa.dataAttributes","value":"a='1'"},{"key":"qaqpa.dataAttributes","value":"b='2'"}],)";
    CHECK(error_of(rest::parse_sync_request(sync_body(twice, R"("<x/>")"), no_basic)).find("the gateway's marks") !=
          std::string::npos);
    const auto alone = R"("properties":[{"key":"qaqpa.dataAttributes","value":"a='1'"}],)";
    CHECK(error_of(rest::parse_sync_request(sync_body(alone, "1"), no_basic)).find("the gateway's marks") !=
          std::string::npos);
    sync_request req;
    req.info = {"m", std::nullopt, "svc", "2026-11-23T10:00:00Z", std::nullopt, {"s", std::string("p")}, {{"qaqpa.dataAttributes", "x"}}, std::nullopt};
    req.data = {true, payload_format::xml, "", "<x/>"};
    soap::soap_version v;
    auto refused = soap::parse_sync_request(soap::build_sync_request(req), v);
    REQUIRE_FALSE(refused);
    CHECK(refused.error().code == errc::bad_envelope);
}
