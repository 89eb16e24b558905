// The gateway serves its own WSDL set; imports resolve over the same listener.
#include "tests/integration/node_fixture.hpp"
#include "tests/support/http_call.hpp"
#include "transports/soap/xml.hpp"

#include "tests/support/catch.hpp"

#include <regex>

using namespace qaqpa::test;

TEST_CASE("?wsdl serves the channel's WSDL with this listener's address", "[integration][wsdl]") {
    gateway gw;
    for (const char* path : {"/bip-sync/", "/bip-sync-wss-gost/"}) {
        const auto reply = http_request(gw.port(), "GET", std::string(path) + "?wsdl");
        REQUIRE(reply.status == 200);
        CHECK(reply.header("content-type").rfind("text/xml", 0) == 0);
        CHECK(reply.body.find("<soap:address location=\"http://127.0.0.1:" + std::to_string(gw.port()) + path + "\"/>") !=
              std::string::npos);
        CHECK(reply.body.find("SendMessageFault1_SendMessageFault") != std::string::npos);
    }
}

namespace {

/// Follows every schemaLocation from a channel's WSDL; the queries it served.
std::vector<std::string> crawl(std::uint16_t port, const std::string& path, const std::string& start) {
    std::vector<std::string> pending{start}, seen;
    const std::regex location(R"re(schemaLocation="\?(xsd=[^"]+)")re");
    while (!pending.empty()) {
        const auto query = pending.back();
        pending.pop_back();
        if (std::find(seen.begin(), seen.end(), query) != seen.end()) continue;
        seen.push_back(query);
        const auto reply = http_request(port, "GET", path + "?" + query);
        INFO(query);
        REQUIRE(reply.status == 200);
        for (std::sregex_iterator it(reply.body.begin(), reply.body.end(), location), end; it != end; ++it)
            pending.push_back((*it)[1]);
    }
    return seen;
}

} // namespace

TEST_CASE("the async channel serves its WSDL, the recipient's WSDL and their schemas", "[integration][wsdl]") {
    gateway gw;
    const auto wsdl = http_request(gw.port(), "GET", "/bip-async/?wsdl");
    REQUIRE(wsdl.status == 200);
    for (const char* element : {"sendMessageFault1_sendMessageFault", "getMessagesFault1_getMessagesFault",
                                "sendDeliveryNotificationFault1_sendDeliveryNotificationFault",
                                "getMessageStatusFault1_getMessageStatusFault"})
        CHECK(wsdl.body.find(element) != std::string::npos);
    CHECK(wsdl.body.find("/bip-async/\"/>") != std::string::npos);
    CHECK(crawl(gw.port(), "/bip-async/", "wsdl").size() == 4); // WSDL, channel, types, common
    const auto client = http_request(gw.port(), "GET", "/bip-async/?wsdl=async-client.wsdl");
    REQUIRE(client.status == 200);
    CHECK(client.body.find("changeMassageStatusNotification") != std::string::npos);
    CHECK(crawl(gw.port(), "/bip-async/", "wsdl=async-client.wsdl").size() == 5);
}

TEST_CASE("every schema the WSDL set imports is served", "[integration][wsdl]") {
    gateway gw;
    CHECK(crawl(gw.port(), "/bip-sync/", "wsdl").size() == 5); // the WSDL and its four schemas
}

TEST_CASE("?xsd serves only the gateway's own schemas", "[integration][wsdl]") {
    gateway gw;
    CHECK(http_request(gw.port(), "GET", "/bip-sync/?xsd=../../etc/passwd").status == 404);
    CHECK(http_request(gw.port(), "GET", "/bip-sync/?xsd=nope.xsd").status == 404);
}

TEST_CASE("a hostile Host header cannot break the WSDL's XML", "[integration][wsdl]") {
    gateway gw;
    const auto reply = http_request(gw.port(), "GET", "/bip-sync/?wsdl", "", {{"Host", "evil\"><x y='&"}});
    REQUIRE(reply.status == 200);
    qaqpa::soap::xml_document doc;
    std::string copy = reply.body;
    CHECK(doc.parse(copy).has_value());
    CHECK(reply.body.find("evil&quot;&gt;&lt;x y='&amp;") != std::string::npos);
}
