#include "transports/soap/sync_codec.hpp"

#include "tests/support/soap_samples.hpp"
#include "tests/support/xsd_check.hpp"

#include "tests/support/catch.hpp"

using namespace qaqpa;
using namespace qaqpa::soap;

namespace {

sync_request parse_ok(const std::string& body) {
    soap_version v;
    auto r = parse_sync_request(body, v);
    INFO(body);
    REQUIRE(r);
    return r->request;
}

failure parse_bad(const std::string& body) {
    soap_version v;
    auto r = parse_sync_request(body, v);
    REQUIRE_FALSE(r);
    return r.error();
}

std::string replace(std::string s, const std::string& from, const std::string& to) {
    const auto at = s.find(from);
    REQUIRE(at != std::string::npos);
    return s.replace(at, from.size(), to);
}

} // namespace

TEST_CASE("a SendMessage is read field by field", "[unit][soap]") {
    test::sample_request sample;
    sample.route_id = "b";
    const auto req = parse_ok(test::sync_request_xml(sample));
    CHECK(req.info.message_id == "msg-1");
    CHECK(req.info.service_id == "echo");
    CHECK(req.info.route_id == std::optional<std::string>("b"));
    CHECK(req.info.sender.sender_id == "sender");
    CHECK(req.info.sender.password == std::optional<std::string>("sender-password"));
    REQUIRE(req.info.properties.size() == 1);
    CHECK(req.info.properties[0].key == "k1");
    CHECK(req.data.content == sample.payload);
}

TEST_CASE("any prefixes, a default namespace and SOAP 1.2 are accepted", "[unit][soap]") {
    const std::string body = R"(<E:Envelope xmlns:E="http://www.w3.org/2003/05/soap-envelope"><E:Body>
        <SendMessage xmlns="http://bip.bee.kz/SyncChannel/v10/Types"><request xmlns=""><requestInfo>
        <messageId>m</messageId><serviceId>s</serviceId><messageDate>2026-11-23T10:00:00.5</messageDate>
        <sender><senderId>u</senderId></sender></requestInfo><requestData/></request></SendMessage></E:Body></E:Envelope>)";
    soap_version v;
    auto r = parse_sync_request(body, v);
    REQUIRE(r);
    CHECK(v == soap_version::v12);
    CHECK(r->request.info.service_id == "s");
    CHECK_FALSE(r->request.info.sender.password);
    CHECK_FALSE(r->request.data.present);
}

TEST_CASE("missing or invalid fields are named in the fault", "[unit][soap]") {
    const auto good = test::sync_request_xml();
    CHECK(parse_bad(replace(good, "<serviceId>echo</serviceId>", "")).detail == "request/requestInfo/serviceId is missing");
    CHECK(parse_bad(replace(good, "2026-11-23T10:00:00+06:00", "yesterday")).detail ==
          "request/requestInfo/messageDate is not an xsd:dateTime");
    CHECK(parse_bad(replace(good, "<senderId>sender</senderId>", "")).detail ==
          "request/requestInfo/sender/senderId is missing");
    CHECK(parse_bad(replace(good, "<requestData>", "<requestDatum>")).code == errc::bad_envelope);
    CHECK(parse_bad(replace(good, "typ:SendMessage>", "typ:sendMessage>")).code == errc::bad_envelope); // mismatched tags
    const auto other_op = replace(replace(good, "<typ:SendMessage>", "<typ:getMessages>"), "</typ:SendMessage>", "</typ:getMessages>");
    CHECK(parse_bad(other_op).code == errc::unknown_operation);
    CHECK(parse_bad("<notsoap/>").detail == "the root element is not a SOAP Envelope");
    CHECK(parse_bad(R"(<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body/></s:Envelope>)").detail ==
          "the Body is empty");
}

TEST_CASE("the forwarded request reads back the same, payload included", "[unit][soap]") {
    auto req = parse_ok(test::sync_request_xml());
    req.info.session_id = "{11111111-2222-4333-8444-555555555555}";
    const auto again = parse_ok(build_sync_request(req));
    CHECK(again.info.message_id == req.info.message_id);
    CHECK(again.info.session_id == req.info.session_id);
    CHECK(again.info.properties.size() == 1);
    CHECK(again.data.content == req.data.content);
}

TEST_CASE("a provider's fault becomes PROVIDER_FAULT with its ErrorInfo as subError", "[unit][soap]") {
    const std::string fault = R"(<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Body><S:Fault>
        <faultcode>S:Server</faultcode><faultstring>no</faultstring><detail><x:AnyFault xmlns:x="urn:x">
        <errorCode>P-1</errorCode><errorMessage>refused</errorMessage><errorDate>2026-01-01T00:00:00Z</errorDate>
        <subError><errorCode>P-2</errorCode><errorMessage>inner</errorMessage><errorDate>2026-01-01T00:00:00Z</errorDate></subError>
        </x:AnyFault></detail></S:Fault></S:Body></S:Envelope>)";
    auto r = parse_sync_reply(fault);
    auto* f = std::get_if<gateway_fault>(&r);
    REQUIRE(f);
    CHECK(f->cause.code == errc::provider_fault);
    REQUIRE(f->sub_error);
    CHECK(f->sub_error->code == "P-1");
    REQUIRE(f->sub_error->sub_error);
    CHECK(f->sub_error->sub_error->code == "P-2");

    const std::string bare = R"(<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Body><S:Fault>
        <faultcode>S:Client</faultcode><faultstring>bad thing</faultstring></S:Fault></S:Body></S:Envelope>)";
    auto b = parse_sync_reply(bare);
    REQUIRE(std::get_if<gateway_fault>(&b));
    CHECK(std::get<gateway_fault>(b).sub_error->message == "bad thing");
}

TEST_CASE("non-SOAP provider answers are PROVIDER_BAD_RESPONSE", "[unit][soap]") {
    for (const std::string& body : {std::string("<html>oops</html>"), std::string("not xml"), std::string("")}) {
        auto r = parse_sync_reply(body);
        auto* f = std::get_if<gateway_fault>(&r);
        REQUIRE(f);
        CHECK(f->cause.code == errc::provider_bad_response);
    }
}

TEST_CASE("responses and faults validate against the real SHEP schema", "[unit][soap][xsd]") {
    if (!test::shep_reference_dir()) {
        WARN("skipped: ../shared/reference/shep-wsdl is absent");
        return;
    }
    const auto xsd = test::sync_types_ns;
    sync_response res;
    res.info.message_id = "m";
    res.info.response_date = "2026-11-23T10:00:00Z";
    res.info.status_code = "OK";
    res.info.status_message = "fine";
    res.info.session_id = "{11111111-2222-4333-8444-555555555555}";
    res.data = parse_ok(test::sync_request_xml()).data;
    const auto good = build_sync_response(soap_version::v11, res);
    CHECK(test::validate_body(good, xsd) == "");
    // The check can fail: a response without its required responseDate does.
    auto broken = good;
    const auto at = broken.find("<responseDate>");
    broken.erase(at, broken.find("</responseDate>") + 15 - at);
    CHECK(test::validate_body(broken, xsd) != "");

    gateway_fault f{fail(errc::provider_fault, "x"), std::make_shared<const error_info>(error_info{
                                                         "P-1", "refused", std::nullopt, "2026-01-01T00:00:00Z", nullptr, std::nullopt})};
    const auto info = to_error_info(f, "{11111111-2222-4333-8444-555555555555}");
    CHECK(test::validate_body(build_fault(soap_version::v11, sync_fault, info, false), xsd) == "");
    CHECK(test::validate_body(build_fault(soap_version::v12, sync_fault, info, true), xsd) == "");
}
