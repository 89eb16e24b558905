#include "transports/soap/async_codec.hpp"

#include "tests/support/async_samples.hpp"

#include "tests/support/catch.hpp"

using namespace qaqpa;
using namespace qaqpa::soap;

TEST_CASE("a peer's changeMassageStatusNotification is read, and answered in the client interface's namespace",
          "[unit][soap]") {
    soap_version v{};
    async_operation op{};
    const auto parsed = parse_async_request(test::status_report_xml("m-1", "DELIVERY_STOPPED", "2026-11-23T10:00:01.5+05:00"),
                                            v, op);
    REQUIRE(parsed);
    CHECK(op == async_operation::change_status_notification);
    const auto& n = std::get<status_notification>(parsed->body);
    CHECK(n.notification_id == "m-1-report");
    CHECK(n.message_id == "m-1");
    CHECK(n.status.state == message_state::delivery_stopped);
    CHECK(n.status.code == "DELIVERY_STOPPED");
    CHECK(n.status.date == "2026-11-23T10:00:01.5+05:00");

    const auto taken = build_status_taken(soap_version::v11, "{00000000-0000-4000-8000-000000000000}");
    CHECK(taken.find("changeMassageStatusNotificationResponse") != std::string::npos);
    CHECK(taken.find("http://bip.bee.kz/AsyncChannel/v10/Types/Client") != std::string::npos);
    CHECK(std::string(async_fault(op).name) == "changeMassageStatusNotificationFault1_changeMassageStatusNotificationFault");
}

TEST_CASE("a report with a state the interface does not have, or without its dates, is named", "[unit][soap]") {
    soap_version v{};
    async_operation op{};
    auto bad = parse_async_request(test::status_report_xml("m-1", "LOST"), v, op);
    REQUIRE_FALSE(bad);
    CHECK(op == async_operation::change_status_notification); // answered with its own fault element
    CHECK(bad.error().code == errc::bad_envelope); // as any malformed field of the channel
    CHECK(bad.error().detail.find("messageState") != std::string::npos);
    bad = parse_async_request(test::status_report_xml("m-1", "DELIVERED", "yesterday"), v, op);
    REQUIRE_FALSE(bad);
    CHECK(bad.error().detail.find("Date") != std::string::npos);
}
