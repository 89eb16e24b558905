#include "routing/message_states.hpp"

#include "tests/support/catch.hpp"

using namespace qaqpa;
using namespace qaqpa::routing;

namespace {

storage::tracking queued() {
    storage::tracking t;
    t.destination = "dp/x";
    t.seq = 5;
    t.sender = "sender";
    t.recipient = "owner";
    t.service_id = "svc";
    t.status = make_status(message_state::on_delivery, status_code::accepted, "accepted", 0);
    return t;
}

} // namespace

TEST_CASE("retries: exactly 1 + retries attempts, back-off doubling up to its cap", "[unit][routing]") {
    delivery_policy p;
    p.retries = 4;
    p.backoff_ms = 100;
    p.backoff_max_ms = 350;
    const unix_ms now = 1'000'000;
    CHECK(schedule_after_failure(p, 1, now).retry_at == now + 100);
    CHECK(schedule_after_failure(p, 2, now).retry_at == now + 200);
    CHECK(schedule_after_failure(p, 3, now).retry_at == now + 350);
    CHECK(schedule_after_failure(p, 4, now).retry_at == now + 350);
    CHECK_FALSE(schedule_after_failure(p, 4, now).give_up);
    CHECK(schedule_after_failure(p, 5, now).give_up);
    p.retries = 0;
    CHECK(schedule_after_failure(p, 1, now).give_up);
}

TEST_CASE("jitter moves a retry by at most a quarter of its back-off", "[unit][routing]") {
    delivery_policy p;
    p.retries = 5;
    p.backoff_ms = 1000;
    CHECK(schedule_after_failure(p, 1, 0, -1.0).retry_at == 750);
    CHECK(schedule_after_failure(p, 1, 0, 1.0).retry_at == 1250);
    CHECK(schedule_after_failure(p, 1, 0, 7.0).retry_at == 1250); // clamped
    for (int i = 0; i < 1000; ++i) {
        const auto j = random_jitter();
        REQUIRE(j >= -1.0);
        REQUIRE(j <= 1.0);
    }
}

TEST_CASE("back-off never overflows with many retries", "[unit][routing]") {
    delivery_policy p;
    p.retries = 1000;
    p.backoff_ms = 1000;
    p.backoff_max_ms = 60000;
    CHECK(schedule_after_failure(p, 999, 0).retry_at == 60000);
}

TEST_CASE("final states leave the queue; others stay", "[unit][routing]") {
    const auto t = queued();
    auto c = transition("m", storage::record_kind::message, t, make_status(message_state::delivered, "D", "", 1), {});
    CHECK(c.dequeue);
    CHECK(c.track.seq == 5);
    CHECK(c.enqueue.empty());
    c = transition("m", storage::record_kind::message, t, make_status(message_state::on_delivery, "R", "", 1), {});
    CHECK_FALSE(c.dequeue);
    c = transition("m", storage::record_kind::message, t, make_status(message_state::not_delivered, "N", "", 1), {});
    CHECK(c.dequeue);
}

TEST_CASE("notify_status tells the sender about every change of state", "[unit][routing]") {
    service_entry svc;
    svc.id = "svc";
    svc.notify_status = true;
    system_entry sender{"sender", "", "", "http://127.0.0.1:1/"};
    const notify_rules rules{&svc, &sender};
    const auto t = queued();
    auto c = transition("m", storage::record_kind::message, t, make_status(message_state::delivered, "D", "", 1), rules);
    REQUIRE(c.enqueue.size() == 1);
    const auto& n = c.enqueue[0];
    CHECK(n.track.destination == "is/sender");
    CHECK(n.body->kind == storage::record_kind::status_notification);
    CHECK(n.body->notification.message_id == "m");
    CHECK(n.body->notification.status.state == message_state::delivered);
    // A failed attempt that will be retried is no change of state.
    c = transition("m", storage::record_kind::message, t, make_status(message_state::on_delivery, "F", "", 1), rules);
    CHECK(c.enqueue.empty());
    // Notifications do not notify; a sender without an address cannot be told.
    CHECK(transition("n", storage::record_kind::status_notification, t,
                     make_status(message_state::delivered, "D", "", 1), rules).enqueue.empty());
    system_entry pulling{"sender", "", "", ""};
    CHECK(transition("m", storage::record_kind::message, t, make_status(message_state::delivered, "D", "", 1),
                     {&svc, &pulling}).enqueue.empty());
}

TEST_CASE("notify_delivered tells the sender about delivery only", "[unit][routing]") {
    service_entry svc;
    svc.notify_delivered = true;
    system_entry sender{"sender", "", "", "http://127.0.0.1:1/"};
    const notify_rules rules{&svc, &sender};
    CHECK(notifies(rules, message_state::delivered));
    CHECK_FALSE(notifies(rules, message_state::not_delivered));
    CHECK_FALSE(notifies({&svc, nullptr}, message_state::delivered));
}

TEST_CASE("a peer gateway is told every change of state, whatever the service asks", "[unit][routing]") {
    service_entry svc; // asks for nothing
    system_entry peer{"gw-near", "", "990000000001", ""};
    peer.gateway = true;
    notify_rules rules{&svc, &peer};
    CHECK_FALSE(notifies(rules, message_state::delivered)); // no way back to it
    rules.to_peer = true;
    for (auto state : {message_state::delivered, message_state::not_delivered, message_state::delivery_stopped,
                       message_state::on_delivery})
        CHECK(notifies(rules, state));
    const auto c = transition("m", storage::record_kind::message, queued(),
                              make_status(message_state::not_delivered, "N", "", 1), rules);
    REQUIRE(c.enqueue.size() == 1);
    CHECK(c.enqueue[0].track.destination == "is/gw-near"); // its way back
}
