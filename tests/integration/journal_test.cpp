// The logging journal on a running node, read the way an operator reads it:
// through the admin API. The rows of a sync call, of refused calls, of an
// async message's whole life (PUSH with a retry; PULL with RESEND), an export
// that verifies and one that was tampered with, and the counters that move
// with the same traffic.
#include "tests/integration/async_helpers.hpp"
#include "tests/integration/node_fixture.hpp"
#include "tests/integration/reply_fields.hpp"
#include "tests/support/fake_provider.hpp"
#include "tests/support/http_call.hpp"
#include "tests/support/soap_samples.hpp"

#include "core/journal_format.hpp"
#include "storage/journal_verify.hpp"

#include <boost/json.hpp>

#include <sstream>

using namespace qaqpa;
using namespace qaqpa::test;

namespace {

http_reply admin_get(gateway& gw, const std::string& target, std::map<std::string, std::string> headers = {}) {
    headers.emplace("Authorization", "Bearer " + gw.node().admin_token());
    return http_request(gw.node().admin_port(), "GET", target, "", headers);
}

/// The rows a journal query answers with (one page).
std::vector<journal_row> journal(gateway& gw, const std::string& query) {
    const auto reply = admin_get(gw, "/admin/v1/journal?" + query);
    INFO(reply.body);
    REQUIRE(reply.status == 200);
    const auto page = boost::json::parse(reply.body).as_object();
    std::vector<journal_row> out;
    for (const auto& v : page.at("rows").as_array()) {
        auto row = parse_json_line(boost::json::serialize(v));
        REQUIRE(row);
        out.push_back(std::move(*row));
    }
    return out;
}

std::vector<journal_event_kind> kinds(const std::vector<journal_row>& rows) {
    std::vector<journal_event_kind> out;
    for (const auto& r : rows) out.push_back(r.event.kind);
    return out;
}

/// A message's trail, once it holds `n` rows (loose rows join the next commit).
std::vector<journal_row> trail(gateway& gw, const std::string& id, std::size_t n) {
    std::vector<journal_row> rows;
    eventually([&] { return (rows = journal(gw, "messageId=" + id)).size() >= n; });
    return rows;
}

std::uint64_t counter_value(const cmd::node& n, const std::string& name) {
    std::uint64_t v = 0;
    n.metrics().visit([&](const metrics_registry::series_view& s) {
        if (s.name == name && s.c) v += s.c->value();
    });
    return v;
}

node_settings pushing_to(const fake_provider& recipient) {
    node_settings s;
    s.push_url = recipient.url();
    return s;
}

} // namespace

TEST_CASE("journal: a sync call and refused calls, with no password anywhere", "[integration][journal]") {
    gateway gw;
    REQUIRE(soap_post(gw.port(), "/bip-sync/", sync_request_xml({})).status == 200);
    sample_request wrong;
    wrong.password = "a-wrong-password";
    REQUIRE(soap_post(gw.port(), "/bip-sync/", sync_request_xml(wrong)).status == 500);
    async_send bad;
    bad.service = "no-such-service";
    REQUIRE(async_call(gw.port(), send_message_xml(bad)).status == 500);

    std::vector<journal_row> rows;
    REQUIRE(eventually([&] { return (rows = journal(gw, "")).size() >= 3; }));
    REQUIRE(rows.size() == 3);
    const auto& call = rows[0].event;
    CHECK(call.kind == journal_event_kind::forwarded);
    CHECK(call.channel == journal_channel::sync);
    CHECK(call.transport == "soap");
    CHECK(call.service_id == "echo");
    CHECK(call.sender == "sender");
    CHECK(call.point == "echo");
    CHECK(call.state == "DELIVERED");
    CHECK(call.received_ms > 0);
    CHECK(call.sent_ms >= call.received_ms);
    CHECK(call.request_bytes > 0);
    CHECK(call.response_bytes == call.request_bytes); // the echo
    CHECK(call.payload.empty()); // payload bytes only where a point asks for them
    const auto& refused = rows[1].event;
    CHECK(refused.kind == journal_event_kind::rejected);
    CHECK_FALSE(refused.message_id.empty()); // the caller's id
    CHECK(refused.error_code == "AUTH_FAILED");
    CHECK(rows[2].event.kind == journal_event_kind::rejected);
    CHECK(rows[2].event.channel == journal_channel::async);
    CHECK(rows[2].event.error_code == "UNKNOWN_SERVICE");

    const auto all = admin_get(gw, "/admin/v1/journal?format=ndjson").body;
    CHECK(all.find("a-wrong-password") == std::string::npos);
    CHECK(all.find("sender-password") == std::string::npos);
    CHECK(journal(gw, "event=rejected").size() == 2);
    CHECK(journal(gw, "event=rejected&service=echo").size() == 1);
    CHECK(journal(gw, "event=rejected&service=no-such-service").size() == 1);
}

TEST_CASE("journal: an async message's whole life, PUSHed with a retry", "[integration][journal]") {
    fake_provider recipient(provider_mode::recipient);
    recipient.fail_next(1);
    gateway gw(pushing_to(recipient));
    async_send m;
    m.service = "push-svc";
    const auto a = accept(gw.port(), m);
    const auto rows = trail(gw, a.message_id, 4);
    REQUIRE(kinds(rows) == std::vector{journal_event_kind::accepted, journal_event_kind::attempt,
                                       journal_event_kind::attempt, journal_event_kind::delivered});
    const auto& accepted = rows[0].event;
    CHECK(accepted.correlation_id == a.correlation_id);
    CHECK(accepted.message_type == "REQUEST");
    CHECK(accepted.sender == "sender");
    CHECK(accepted.recipient == "owner");
    CHECK(accepted.state == "ON_DELIVERY");
    const auto& failed = rows[1].event;
    CHECK(failed.channel == journal_channel::push);
    CHECK(failed.point == "recipient");
    CHECK(failed.state == "ON_DELIVERY");
    CHECK(failed.http_status >= 400);
    CHECK_FALSE(failed.detail.empty());
    CHECK(rows[2].event.http_status == 200);
    CHECK(rows[2].event.state == "DELIVERED");
    CHECK(rows[3].event.sent_ms > 0);
    CHECK(rows[3].event.received_ms == accepted.received_ms);
}

TEST_CASE("journal: PULL with RESEND, then confirmed", "[integration][journal]") {
    gateway gw;
    const auto a = accept(gw.port(), {});
    REQUIRE(pull(gw.port(), owner_login, "async-only") == std::vector{a.message_id});
    REQUIRE(async_call(gw.port(), delivery_notification_xml(owner_login, "async-only", a.message_id, false, true))
                .status == 200);
    REQUIRE(pull(gw.port(), owner_login, "async-only") == std::vector{a.message_id});
    REQUIRE(async_call(gw.port(), delivery_notification_xml(owner_login, "async-only", a.message_id, true)).status ==
            200);
    const auto rows = trail(gw, a.message_id, 5);
    REQUIRE(kinds(rows) == std::vector{journal_event_kind::accepted, journal_event_kind::leased,
                                       journal_event_kind::resend, journal_event_kind::leased,
                                       journal_event_kind::delivered});
    CHECK(rows[1].event.recipient == "owner");
    CHECK(rows[1].event.channel == journal_channel::pull);
    CHECK(rows[2].event.state == "ON_DELIVERY");
    CHECK(rows[4].event.state == "DELIVERED");

    CHECK(counter_value(gw.node(), "qaqpa_async_accepted_total") == 1);
    CHECK(counter_value(gw.node(), "qaqpa_pull_offered_total") == 2);
    CHECK(counter_value(gw.node(), "qaqpa_pull_confirmed_total") == 2);
    CHECK(counter_value(gw.node(), "qaqpa_journal_rows_total") == 5);
}

TEST_CASE("journal: an export streams, verifies, and a tampered one does not", "[integration][journal]") {
    gateway gw;
    for (int i = 0; i < 30; ++i) accept(gw.port(), {});
    REQUIRE(soap_post(gw.port(), "/bip-sync/", sync_request_xml({})).status == 200);
    REQUIRE(eventually([&] { return journal(gw, "event=forwarded").size() == 1; }));

    const auto ndjson = admin_get(gw, "/admin/v1/journal", {{"Accept", "application/x-ndjson"}});
    REQUIRE(ndjson.status == 200);
    CHECK(ndjson.header("transfer-encoding") == "chunked"); // streamed, never held whole
    CHECK(ndjson.header("content-type") == "application/x-ndjson");
    std::stringstream in(ndjson.body);
    const auto report = storage::verify_export(in);
    CHECK(report.ok);
    CHECK(report.rows == 31);

    auto tampered = ndjson.body;
    const auto at = tampered.find("\"serviceId\":\"async-only\"", tampered.find("\"row\":7,"));
    tampered.replace(at, 24, "\"serviceId\":\"async-0nly\"");
    std::stringstream bad(tampered);
    const auto broken = storage::verify_export(bad);
    CHECK_FALSE(broken.ok);
    REQUIRE_FALSE(broken.problems.empty());
    CHECK(broken.problems[0] == "line 7: row 7 was changed (its content does not match its hash)");

    const auto csv = admin_get(gw, "/admin/v1/journal?format=csv&limit=5");
    REQUIRE(csv.status == 200);
    CHECK(csv.header("content-type") == "text/csv; charset=utf-8");
    std::size_t lines = 0;
    for (auto at = csv.body.find("\r\n"); at != std::string::npos; at = csv.body.find("\r\n", at + 2)) ++lines;
    CHECK(lines == 6); // the header and five rows

    const auto head = boost::json::parse(admin_get(gw, "/admin/v1/journal/head").body).as_object();
    CHECK(head.at("last").as_int64() == 31);
    CHECK(head.at("lastHash").as_string() == report.last_hash);
}

TEST_CASE("journal: the API wants the token and names a bad parameter", "[integration][journal]") {
    gateway gw;
    CHECK(http_request(gw.node().admin_port(), "GET", "/admin/v1/journal").status == 401);
    CHECK(http_request(gw.port(), "GET", "/admin/v1/journal").status == 404); // never on the public listener
    const auto unknown = admin_get(gw, "/admin/v1/journal?colour=blue");
    CHECK(unknown.status == 400);
    CHECK(unknown.body == R"({"error":"INVALID_REQUEST","message":"parameter \"colour\": is not a parameter of this query"})");
    const auto bad_time = admin_get(gw, "/admin/v1/journal?from=yesterday");
    CHECK(bad_time.status == 400);
    CHECK(bad_time.body.find("\\\"from\\\": is neither an xsd:dateTime nor Unix milliseconds") != std::string::npos);
    CHECK(admin_get(gw, "/admin/v1/journal?limit=0").status == 400);
    CHECK(admin_get(gw, "/admin/v1/journal?event=deleted").status == 400);
    CHECK(admin_get(gw, "/admin/v1/journal?from=2026-01-01T00:00:00Z&limit=1000").status == 200);
}

TEST_CASE("journal: payload bytes are kept only for a point with journal_payload = true", "[integration][journal]") {
    node_settings s;
    s.extra_registry = point_with_service("kept", "builtin:echo", "journal_payload = true", "", "mode = \"sync\"");
    gateway gw(s);
    sample_request kept;
    kept.service = "kept-svc";
    REQUIRE(soap_post(gw.port(), "/bip-sync/", sync_request_xml(kept)).status == 200);
    REQUIRE(soap_post(gw.port(), "/bip-sync/", sync_request_xml({})).status == 200);
    std::vector<journal_row> rows;
    REQUIRE(eventually([&] { return (rows = journal(gw, "event=forwarded")).size() == 2; }));
    CHECK(rows[0].event.service_id == "kept-svc");
    CHECK(rows[0].event.payload == kept.payload);
    CHECK(rows[1].event.payload.empty());
}
