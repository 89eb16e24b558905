#include "routing/incident_desk.hpp"

#include "core/runtime.hpp"
#include "routing/destinations.hpp"
#include "storage/store.hpp"
#include "tests/support/manual_clock.hpp"
#include "tests/support/run_task.hpp"
#include "tests/support/temp_dir.hpp"

#include "tests/support/catch.hpp"

#include <deque>

using namespace qaqpa;
using namespace qaqpa::routing;
using qaqpa::test::run_task;

namespace {

/// The webhook, scripted: each call takes the next outcome (delivered once
/// the script runs out) and keeps what it was sent.
class scripted_notifier final : public incident_notifier {
public:
    std::deque<bool> outcomes;
    std::vector<incident> sent;

    task<result<void>> notify(const incident& i) override {
        sent.push_back(i);
        bool ok = true;
        if (!outcomes.empty()) {
            ok = outcomes.front();
            outcomes.pop_front();
        }
        if (ok) co_return result<void>{};
        co_return fail(errc::provider_unreachable, "connection refused");
    }
};

std::unique_ptr<storage::store> open_at(const test::temp_dir& dir) {
    auto s = storage::open_store({dir.str(), true, "rocksdb"});
    REQUIRE(s);
    return std::move(*s);
}

struct desk_fixture {
    test::temp_dir dir;
    std::unique_ptr<storage::store> store = open_at(dir);
    runtime rt{1}; ///< never started: the tests drive round() themselves
    test::manual_clock clock;
    metrics_registry metrics;
    scripted_notifier notifier;
    std::unique_ptr<incident_desk> desk = make_desk();

    std::unique_ptr<incident_desk> make_desk() {
        incident_settings s;
        s.undelivered_after_ms = 3'600'000;
        auto d = std::make_unique<incident_desk>(rt, store->messages(), store->incidents(), clock, metrics, &notifier, s);
        REQUIRE(run_task(d->load()));
        return d;
    }

    std::vector<incident> listed(std::optional<incident_state> state = incident_state::open) {
        incident_query q;
        q.state = state;
        auto page = run_task(desk->incidents(q));
        REQUIRE(page);
        return *page;
    }

    std::int64_t open_gauge() { return metrics.get_gauge("qaqpa_incidents_open", "").value(); }

    void queue_message(const std::string& queue, const std::string& id) {
        auto body = std::make_shared<storage::queued_message>();
        body->id = id;
        body->message.info.message_id = id;
        body->accepted_ms = clock.now();
        storage::new_message m;
        m.body = body;
        m.track.destination = queue;
        m.track.sender = "sender";
        m.track.recipient = "owner";
        m.track.service_id = "svc";
        m.track.status = {message_state::on_delivery, "ACCEPTED", "accepted", "2026-12-03T10:00:00Z"};
        REQUIRE(run_task(store->messages().accept(std::move(m))));
    }

    void deliver(const std::string& id) {
        storage::state_change c;
        c.id = id;
        c.track.destination = pull_queue("owner", "svc");
        c.track.status = {message_state::delivered, "DELIVERED", "delivered", "2026-12-03T11:00:00Z"};
        c.dequeue = true;
        REQUIRE(run_task(store->messages().change(std::move(c))));
    }

    ~desk_fixture() {
        desk.reset();
        store->messages().stop();
    }
};

} // namespace

TEST_CASE("a point switched off opens an incident, notified at once; switched on records the send time",
          "[unit][routing][incidents]") {
    desk_fixture f;
    const auto off_at = f.clock.now();
    f.queue_message(point_queue("dp-a"), "waiting-1"); // what the switch stops
    f.queue_message(point_queue("dp-a"), "waiting-2");
    f.desk->point_switched("dp-a", false, "5 errors within 60 s: HTTP 503");
    f.desk->point_switched("dp-a", false, "again"); // one incident per switch-off, not per call
    CHECK(f.open_gauge() == 1);
    f.clock.advance(200);
    run_task(f.desk->round());

    auto open = f.listed();
    REQUIRE(open.size() == 1);
    const auto& i = open.front();
    CHECK(i.cause == incident_cause::point_off);
    CHECK(i.point == "dp-a");
    CHECK(i.queue == "dp/dp-a");
    CHECK(i.reason == "delivery point dp-a switched off: 5 errors within 60 s: HTTP 503");
    CHECK(i.opened_ms == off_at);
    CHECK(i.message_id == "waiting-1"); // the oldest it holds, named before the webhook is told
    CHECK(i.received_ms == off_at);
    CHECK(i.messages == 2);
    CHECK(f.notifier.sent.front().message_id == "waiting-1");
    CHECK(i.notified_ms == off_at + 200);
    CHECK(i.sent_ms == 0);
    REQUIRE(f.notifier.sent.size() == 1);
    CHECK(f.notifier.sent.front().id == i.id);

    f.clock.advance(60'000);
    f.desk->point_switched("dp-a", true, "");
    run_task(f.desk->round());
    auto stored = run_task(f.store->incidents().find_incident(i.id));
    REQUIRE(stored);
    REQUIRE(*stored);
    CHECK((*stored)->sent_ms == off_at + 60'200);
    CHECK((*stored)->state == incident_state::open); // people close it
    CHECK(f.notifier.sent.size() == 1);              // notified once

    // The next switch-off is a new incident.
    f.desk->point_switched("dp-a", false, "switched off by the administrator");
    run_task(f.desk->round());
    CHECK(f.listed().size() == 2);
    CHECK(f.open_gauge() == 2);
}

TEST_CASE("a failed notification is retried with back-off until delivered, and survives a restart",
          "[unit][routing][incidents]") {
    desk_fixture f;
    f.notifier.outcomes = {false, false};
    f.desk->point_switched("dp-a", false, "down");
    run_task(f.desk->round()); // attempt 1 fails: next in 1 s
    run_task(f.desk->round()); // not due yet
    CHECK(f.notifier.sent.size() == 1);
    auto i = f.listed().front();
    CHECK(i.notify_attempts == 1);
    CHECK(i.notify_error == "connection refused");
    CHECK(i.notified_ms == 0);

    // A restart keeps what is owed: the new desk retries it.
    f.desk = f.make_desk();
    f.clock.advance(1000);
    run_task(f.desk->round()); // attempt 2 fails: next in 2 s
    CHECK(f.notifier.sent.size() == 2);
    f.clock.advance(1000);
    run_task(f.desk->round());
    CHECK(f.notifier.sent.size() == 2);
    f.clock.advance(1000);
    run_task(f.desk->round()); // delivered
    REQUIRE(f.notifier.sent.size() == 3);
    i = f.listed().front();
    CHECK(i.notify_attempts == 2);
    CHECK(i.notify_error.empty());
    CHECK(i.notified_ms == f.clock.now());
    run_task(f.desk->round());
    CHECK(f.notifier.sent.size() == 3);
}

TEST_CASE("a message waiting longer than the limit opens one incident for its queue; delivery settles it",
          "[unit][routing][incidents]") {
    desk_fixture f;
    const auto queue = pull_queue("owner", "svc");
    const auto received = f.clock.now();
    f.queue_message(queue, "m1");
    f.clock.advance(1000);
    f.queue_message(queue, "m2");
    run_task(f.desk->round());
    CHECK(f.listed().empty());

    f.clock.advance(3'600'000); // m1 has now waited an hour and a second
    run_task(f.desk->round());
    auto open = f.listed();
    REQUIRE(open.size() == 1);
    auto i = open.front();
    CHECK(i.cause == incident_cause::undelivered);
    CHECK(i.queue == queue);
    CHECK(i.point.empty());
    CHECK(i.message_id == "m1");
    CHECK(i.received_ms == received);
    CHECK(i.messages == 2);
    CHECK(i.reason.find("message m1 has waited 60 min in queue pull/owner/svc (the limit is 60 min)") == 0);

    // m1 goes; m2 is overdue too: the same incident goes on.
    f.deliver("m1");
    f.clock.advance(360'000); // the next scan
    run_task(f.desk->round());
    CHECK(f.listed().size() == 1);
    CHECK(f.listed().front().sent_ms == 0);

    f.deliver("m2");
    f.clock.advance(360'000);
    run_task(f.desk->round());
    i = f.listed().front();
    CHECK(i.sent_ms == f.clock.now());
}

TEST_CASE("people fill in an incident and close it; a closed one cannot change", "[unit][routing][incidents]") {
    desk_fixture f;
    f.desk->point_switched("dp-a", false, "down");
    run_task(f.desk->round());
    const auto id = f.listed().front().id;

    f.clock.advance(5000);
    incident_update u;
    u.responsible = "A. Seitkali, duty administrator";
    auto filled = run_task(f.desk->update(id, u));
    REQUIRE(filled);
    CHECK(filled->responsible == "A. Seitkali, duty administrator");
    CHECK(filled->responded_ms == f.clock.now());

    f.clock.advance(5000);
    incident_update close;
    close.measures = "the provider's certificate renewed; point switched on";
    close.close = true;
    auto closed = run_task(f.desk->update(id, close));
    REQUIRE(closed);
    CHECK(closed->state == incident_state::closed);
    CHECK(closed->closed_ms == f.clock.now());
    CHECK(closed->responded_ms == f.clock.now() - 5000); // the first answer's time stays
    CHECK(f.open_gauge() == 0);

    auto again = run_task(f.desk->update(id, close));
    REQUIRE_FALSE(again);
    CHECK(again.error().code == errc::conflict);
    auto unknown = run_task(f.desk->update("nope", close));
    REQUIRE_FALSE(unknown);
    CHECK(unknown.error().code == errc::not_found);

    // Written: a new desk over the store lists it closed, not open.
    f.desk = f.make_desk();
    CHECK(f.listed().empty());
    auto all = f.listed(std::nullopt);
    REQUIRE(all.size() == 1);
    CHECK(all.front().measures == "the provider's certificate renewed; point switched on");
    CHECK(f.open_gauge() == 0);
}
