// The observability seams on a running node: every message event reaches
// the journal sink (accepted, rejected with its catalog code, forwarded,
// leased, confirmed, PUSH attempts) and the subsystems' series count them.
#include "tests/integration/async_helpers.hpp"
#include "tests/integration/node_fixture.hpp"
#include "tests/integration/reply_fields.hpp"
#include "tests/support/http_call.hpp"
#include "tests/support/soap_samples.hpp"

#include <mutex>

using namespace qaqpa;
using namespace qaqpa::test;

namespace {

/// Keeps every event (sinks are called from every event loop).
class recording_journal final : public journal_sink {
public:
    void record(const journal_event& e) noexcept override {
        std::lock_guard lk(mutex_);
        events_.push_back(e);
    }
    std::vector<journal_event> events() const {
        std::lock_guard lk(mutex_);
        return events_;
    }
    std::vector<journal_event> of(journal_event_kind k) const {
        std::vector<journal_event> out;
        for (auto& e : events())
            if (e.kind == k) out.push_back(e);
        return out;
    }

private:
    mutable std::mutex mutex_;
    std::vector<journal_event> events_;
};

std::uint64_t counter_value(const cmd::node& n, const std::string& name) {
    std::uint64_t v = 0;
    n.metrics().visit([&](const metrics_registry::series_view& s) {
        if (s.name == name && s.c) v += s.c->value();
    });
    return v;
}

} // namespace

TEST_CASE("message events reach the journal sink and the metrics", "[integration][observability]") {
    recording_journal journal;
    node_settings s;
    s.journal = &journal;
    gateway gw(s);

    // Sync: one forwarded call, one refused login.
    REQUIRE(soap_post(gw.port(), "/bip-sync/", sync_request_xml({})).status == 200);
    sample_request wrong;
    wrong.password = "wrong";
    REQUIRE(soap_post(gw.port(), "/bip-sync/", sync_request_xml(wrong)).status == 500);
    const auto forwarded = journal.of(journal_event_kind::forwarded);
    REQUIRE(forwarded.size() == 1);
    CHECK(forwarded[0].channel == journal_channel::sync);
    CHECK(forwarded[0].service_id == "echo");
    CHECK(forwarded[0].sender == "sender");
    CHECK_FALSE(forwarded[0].point.empty());

    // Async: accepted, leased by the owner, confirmed; a refused send.
    const auto a = accept(gw.port(), {});
    REQUIRE(pull(gw.port(), owner_login, "async-only").size() == 1);
    REQUIRE(async_call(gw.port(), delivery_notification_xml(owner_login, "async-only", a.message_id, true)).status ==
            200);
    async_send bad;
    bad.service = "no-such-service";
    REQUIRE(async_call(gw.port(), send_message_xml(bad)).status == 500);

    const auto accepted = journal.of(journal_event_kind::accepted);
    REQUIRE(accepted.size() == 1);
    CHECK(accepted[0].message_id == a.message_id);
    CHECK(accepted[0].correlation_id == a.correlation_id);
    const auto leased = journal.of(journal_event_kind::leased);
    REQUIRE(leased.size() == 1);
    CHECK(leased[0].message_id == a.message_id);
    CHECK(leased[0].recipient == "owner");
    const auto delivered = journal.of(journal_event_kind::delivered);
    REQUIRE(delivered.size() == 1);
    CHECK(delivered[0].channel == journal_channel::pull);

    const auto rejected = journal.of(journal_event_kind::rejected);
    REQUIRE(rejected.size() == 2);
    CHECK(rejected[0].error_code == "AUTH_FAILED");
    CHECK(rejected[1].error_code == "UNKNOWN_SERVICE");
    for (const auto& e : journal.events()) CHECK(e.at_ms > 0);

    CHECK(counter_value(gw.node(), "qaqpa_sync_calls_total") == 1);
    CHECK(counter_value(gw.node(), "qaqpa_sync_faults_total") == 1);
    CHECK(counter_value(gw.node(), "qaqpa_async_accepted_total") == 1);
    CHECK(counter_value(gw.node(), "qaqpa_async_rejected_total") == 1);
    CHECK(counter_value(gw.node(), "qaqpa_pull_offered_total") == 1);
    CHECK(counter_value(gw.node(), "qaqpa_pull_confirmed_total") == 1);
}
