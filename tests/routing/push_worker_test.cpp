#include "routing/push_worker.hpp"

#include "routing/message_states.hpp"
#include "storage/store.hpp"
#include "tests/support/manual_clock.hpp"
#include "tests/support/run_task.hpp"
#include "tests/support/temp_dir.hpp"

#include "tests/support/catch.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/this_coro.hpp>

#include <functional>

// A push_worker on simulated time: the clock moves only when a test advances
// it, so back-off, throttle windows, pacing and latency are exact. The store
// is the real one (no fsync); the recipient is a scripted client.

using namespace qaqpa;
using namespace qaqpa::routing;

namespace {

/// A recipient whose answers a test scripts, with a simulated latency.
class scripted_recipient final : public outbound_client {
public:
    explicit scripted_recipient(test::manual_clock& clock) : clock_(clock) {}

    struct call {
        std::string id;
        unix_ms at;
    };
    std::vector<call> calls;
    int in_flight = 0, most_in_flight = 0;
    unix_ms latency = 0;
    /// Whether the n-th attempt (1-based) of message `id` is taken.
    std::function<bool(const std::string& id, int n)> takes = [](const std::string&, int) { return true; };

    int attempts_of(const std::string& id) const {
        return static_cast<int>(std::count_if(calls.begin(), calls.end(), [&](const call& c) { return c.id == id; }));
    }
    std::vector<std::string> order() const {
        std::vector<std::string> out;
        for (const auto& c : calls) out.push_back(c.id);
        return out;
    }

    task<provider_result> relay(const outbound_target&, const sync_request&, std::chrono::milliseconds) override {
        co_return gateway_fault{fail(errc::internal, "not used"), nullptr};
    }

    task<push_result> push(const outbound_target&, const outbound_message& m, std::string_view,
                           std::chrono::milliseconds) override {
        calls.push_back({m.id, clock_.now()});
        const int n = attempts_of(m.id);
        most_in_flight = std::max(most_in_flight, ++in_flight);
        if (latency > 0) {
            timer t(co_await boost::asio::this_coro::executor);
            clock_.arm(t, clock_.now() + latency);
            boost::system::error_code ec;
            co_await t.async_wait(use_task_ec(ec));
            clock_.disarm(t);
        }
        --in_flight;
        const bool ok = takes(m.id, n);
        co_return push_result{ok, ok ? "" : "refused"};
    }

private:
    test::manual_clock& clock_;
};

/// One worker for point "p", its store, registry and recipient.
class rig {
public:
    explicit rig(delivery_policy policy) {
        auto opened = storage::open_store({dir_.str(), false});
        REQUIRE(opened);
        db_ = std::move(*opened);
        registry reg;
        reg.systems = {{"sender", "", "", ""}, {"owner", "", "", ""}};
        delivery_point dp;
        dp.id = "p";
        dp.url = "http://127.0.0.1:9/";
        dp.policy = policy;
        reg.delivery_points = {dp};
        service_entry svc;
        svc.id = "svc";
        svc.owner = "owner";
        svc.mode = service_mode::async;
        svc.delivery_point = "p";
        reg.services = {svc};
        reg.access = {{"sender", "svc", {}}};
        registry_ = std::make_unique<registry_holder>(std::move(reg));
        REQUIRE(clients_.add(point_kind::soap, recipient));
        points = std::make_unique<point_states>(db_->messages());
        context_ = std::make_unique<push_context>(push_context{
            db_->messages(), *registry_, clients_, throttles_, *points, clock, tasks_, probe, db_->journal(),
            delivery_policy{},
            [] { return 0.0; },
            [this](std::string point, std::string reason) -> task<void> {
                shut_down.push_back(reason);
                co_await points->set(point, false, reason);
            },
            [](const storage::state_change&) {}});
        worker_ = std::make_shared<push_worker>("dp/p", destination{destination_kind::point, "p"}, io_.get_executor(),
                                                *context_);
        worker_->start();
    }

    ~rig() {
        worker_->stop();
        tasks_.cancel();
        run_until([&] { return tasks_.running() == 0; });
        db_->messages().stop();
    }

    /// The journal's rows of one kind (written with the state changes they record).
    std::vector<journal_event> journalled(journal_event_kind k) {
        journal_query q;
        q.event = std::string(to_string(k));
        q.limit = 1000;
        auto page = test::run_task(db_->journal().query(q));
        REQUIRE(page);
        std::vector<journal_event> out;
        for (auto& row : page->rows) out.push_back(std::move(row.event));
        return out;
    }

    /// Queues a message for the point, as sendMessage does, and wakes the worker.
    void queue(const std::string& id) {
        auto body = std::make_shared<storage::queued_message>();
        body->id = id;
        body->message.info.message_id = id;
        body->message.info.service_id = "svc";
        storage::new_message m;
        m.body = body;
        m.track.destination = "dp/p";
        m.track.sender = "sender";
        m.track.recipient = "owner";
        m.track.service_id = "svc";
        m.track.status = make_status(message_state::on_delivery, status_code::accepted, "accepted", clock.now());
        bool done = false;
        boost::asio::co_spawn(io_, db_->messages().accept(std::move(m)),
                              [&](std::exception_ptr, result<std::uint64_t> r) { done = r.has_value(); });
        REQUIRE(run_until([&] { return done; }));
        worker_->wake();
        settle();
    }

    /// The message's state as stored.
    std::string state(const std::string& id) {
        std::optional<result<std::optional<storage::tracking>>> t;
        boost::asio::co_spawn(io_, db_->messages().track(id),
                               [&](std::exception_ptr, result<std::optional<storage::tracking>> r) { t = r; });
        REQUIRE(run_until([&] { return t.has_value(); }));
        REQUIRE(*t);
        REQUIRE(**t);
        return std::string(to_string((***t).status.state));
    }

    /// Runs the event loop until `done` (bounded in real time: the store's
    /// completions arrive from its committer thread).
    bool run_until(const std::function<bool()>& done) {
        const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (!done()) {
            if (std::chrono::steady_clock::now() > end) return false;
            io_.restart();
            io_.run_for(std::chrono::milliseconds(1));
        }
        return true;
    }
    /// Lets everything that can happen without time moving happen.
    void settle() {
        const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(30);
        while (std::chrono::steady_clock::now() < end) {
            io_.restart();
            io_.run_for(std::chrono::milliseconds(1));
        }
    }
    void advance(unix_ms ms) {
        clock.advance(ms);
        settle();
    }

    push_worker& worker() { return *worker_; }

    test::manual_clock clock;
    scripted_recipient recipient{clock};
    metrics_registry metrics;
    delivery_probe probe{metrics};
    std::unique_ptr<point_states> points;
    std::vector<std::string> shut_down;

private:
    test::temp_dir dir_;
    std::unique_ptr<storage::store> db_;
    boost::asio::io_context io_;
    outbound_table clients_;
    throttle_table throttles_;
    std::unique_ptr<registry_holder> registry_;
    task_group tasks_{"test"};
    std::unique_ptr<push_context> context_;
    std::shared_ptr<push_worker> worker_;
};

delivery_policy policy_with(int retries, int backoff_ms) {
    delivery_policy p;
    p.retries = retries;
    p.backoff_ms = backoff_ms;
    p.backoff_max_ms = 60'000;
    return p;
}

} // namespace

TEST_CASE("push_worker: a failed message is retried after its back-off, then given up", "[unit][routing]") {
    rig r(policy_with(2, 100));
    r.recipient.takes = [](const std::string&, int) { return false; };
    r.queue("m1");
    REQUIRE(r.recipient.attempts_of("m1") == 1);
    r.advance(99);
    CHECK(r.recipient.attempts_of("m1") == 1); // not before its back-off
    r.advance(1);
    CHECK(r.recipient.attempts_of("m1") == 2);
    r.advance(199);
    CHECK(r.recipient.attempts_of("m1") == 2); // the back-off doubled
    r.advance(1);
    CHECK(r.recipient.attempts_of("m1") == 3);
    CHECK(r.state("m1") == "NOT_DELIVERED");
    r.advance(10'000);
    CHECK(r.recipient.attempts_of("m1") == 3); // 1 + retries, never more
    // Each attempt and the outcome are journalled and counted.
    const auto attempts = r.journalled(journal_event_kind::attempt);
    REQUIRE(attempts.size() == 3);
    for (const auto& a : attempts) {
        CHECK(a.message_id == "m1");
        CHECK(a.point == "p");
        CHECK(a.state == "ON_DELIVERY");
        CHECK(a.detail == "refused");
    }
    const auto given_up = r.journalled(journal_event_kind::not_delivered);
    REQUIRE(given_up.size() == 1);
    CHECK(given_up[0].state == "NOT_DELIVERED");
    CHECK(r.probe.attempts.value() == 3);
    CHECK(r.probe.failures.value() == 3);
    CHECK(r.probe.not_delivered.value() == 1);
    CHECK(r.probe.in_flight.value() == 0);
}

TEST_CASE("push_worker: the messages behind a waiting retry go on", "[unit][routing]") {
    rig r(policy_with(3, 1000));
    r.recipient.takes = [](const std::string& id, int n) { return id != "m1" || n > 1; };
    r.queue("m1");
    r.queue("m2");
    r.queue("m3");
    CHECK(r.recipient.order() == std::vector<std::string>{"m1", "m2", "m3"});
    CHECK(r.state("m2") == "DELIVERED");
    CHECK(r.state("m1") == "ON_DELIVERY");
    r.advance(1000);
    CHECK(r.recipient.attempts_of("m1") == 2);
    CHECK(r.state("m1") == "DELIVERED");
}

TEST_CASE("push_worker: a throttle lets N calls start in any window", "[unit][routing]") {
    auto policy = policy_with(0, 100);
    policy.throttle = throttle_policy{2, 1};
    rig r(policy);
    for (int i = 1; i <= 5; ++i) r.queue("m" + std::to_string(i));
    CHECK(r.recipient.calls.size() == 2);
    r.advance(999);
    CHECK(r.recipient.calls.size() == 2);
    r.advance(1);
    CHECK(r.recipient.calls.size() == 4);
    r.advance(1000);
    CHECK(r.recipient.calls.size() == 5);
    CHECK(r.recipient.order() == std::vector<std::string>{"m1", "m2", "m3", "m4", "m5"});
}

TEST_CASE("push_worker: a recipient that fails every call is paced", "[unit][routing]") {
    rig r(policy_with(100, 1000));
    r.recipient.takes = [](const std::string&, int) { return false; };
    for (int i = 1; i <= 6; ++i) r.queue("m" + std::to_string(i));
    // Three failures in a row, then the point waits its back-off before each
    // next attempt instead of trying the other queued messages at once.
    CHECK(r.recipient.calls.size() == 3);
    r.advance(500);
    CHECK(r.recipient.calls.size() == 3);
    r.advance(10'000);
    CHECK(r.recipient.calls.size() < 12);
    r.recipient.takes = [](const std::string&, int) { return true; };
    for (int i = 0; i < 20; ++i) r.advance(60'000);
    for (int i = 1; i <= 6; ++i) CHECK(r.state("m" + std::to_string(i)) == "DELIVERED");
}

TEST_CASE("push_worker: a point switched off holds its queue; on, it resumes in order", "[unit][routing]") {
    rig r(policy_with(3, 100));
    auto turn = [&](bool on) { REQUIRE(run_blocking(r.points->set("p", on, "test"))); };
    turn(false);
    r.queue("m1");
    r.queue("m2");
    r.advance(10'000);
    CHECK(r.recipient.calls.empty());
    turn(true);
    r.worker().resume();
    r.settle();
    CHECK(r.recipient.order() == std::vector<std::string>{"m1", "m2"});
}

TEST_CASE("push_worker: error shutdown counts failed attempts in its window", "[unit][routing]") {
    auto policy = policy_with(10, 100);
    policy.error_shutdown = error_shutdown_policy{2, 60};
    rig r(policy);
    r.recipient.takes = [](const std::string&, int) { return false; };
    r.queue("m1");
    r.advance(100);
    REQUIRE(r.shut_down.size() == 1);
    CHECK(r.shut_down[0].find("2 failed attempts") != std::string::npos);
    CHECK(r.points->is_off("p"));
    const auto before = r.recipient.calls.size();
    r.advance(60'000);
    CHECK(r.recipient.calls.size() == before); // off: nothing more goes
}

TEST_CASE("push_worker: concurrency lets N PUSHes be in flight", "[unit][routing]") {
    const int n = GENERATE(1, 3);
    auto policy = policy_with(0, 100);
    policy.concurrency = n;
    rig r(policy);
    r.recipient.latency = 50;
    for (int i = 1; i <= 6; ++i) r.queue("m" + std::to_string(i));
    CHECK(r.recipient.calls.size() == static_cast<std::size_t>(n));
    r.advance(50);
    CHECK(r.recipient.calls.size() == static_cast<std::size_t>(2 * n));
    for (int i = 0; i < 6; ++i) r.advance(50);
    CHECK(r.recipient.most_in_flight == n);
    // Started in queue order whatever N is.
    CHECK(r.recipient.order() == std::vector<std::string>{"m1", "m2", "m3", "m4", "m5", "m6"});
    for (int i = 1; i <= 6; ++i) CHECK(r.state("m" + std::to_string(i)) == "DELIVERED");
}
