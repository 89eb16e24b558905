// The store test suite: every store implementation (storage::store_kinds())
// runs each case. A new implementation passes it before it is used.
#include "storage/message_store.hpp"

#include "storage/store.hpp"
#include "tests/storage/suite_store.hpp"
#include "tests/support/run_task.hpp"
#include "tests/support/temp_dir.hpp"

#include "tests/support/catch.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include <set>

using namespace qaqpa;
using namespace qaqpa::storage;
using qaqpa::test::run_task;
// Each case runs once per implementation: k, from GENERATE.

namespace {

// The reads, run to completion.
auto stored_track(message_store& m, std::string_view id) { return run_task(m.track(id)); }
auto stored_body(message_store& m, std::string_view id) { return run_task(m.body(id)); }
auto stored_chain(message_store& m, std::string_view id) { return run_task(m.find_chain(id)); }
auto scanned(message_store& m, std::string_view q, std::uint64_t from, std::size_t n) {
    return run_task(m.scan(q, from, n));
}
std::size_t depth_of(message_store& m, std::string_view q) {
    auto d = run_task(m.depth(q));
    REQUIRE(d);
    return *d;
}
auto stored_queues(message_store& m) {
    auto q = run_task(m.queues());
    REQUIRE(q);
    return *q;
}
auto stored_leases(message_store& m) { return run_task(m.leases()); }

new_message sample(std::string id, std::string queue = "pull/owner/svc", std::size_t max_depth = 0) {
    auto b = std::make_shared<queued_message>();
    b->id = id;
    b->accepted_ms = 1700000000000;
    b->message.info.message_id = id;
    b->message.info.correlation_id = "chain-" + id;
    b->message.info.service_id = "svc";
    b->message.info.type = message_type::update;
    b->message.info.message_date = "2026-11-23T10:00:00Z";
    b->message.info.sender.sender_id = "sender";
    b->message.info.properties = {{"k", "v"}};
    b->message.data = {true, payload_format::xml, "xmlns:x=\"urn:x\"", "<x:doc>Сәлем</x:doc>"};
    new_message m;
    m.body = b;
    m.track.destination = std::move(queue);
    m.track.sender = "sender";
    m.track.recipient = "owner";
    m.track.service_id = "svc";
    m.track.status = {message_state::on_delivery, "ACCEPTED", "accepted", "2026-11-23T10:00:00Z"};
    m.max_depth = max_depth;
    return m;
}

state_change delivered(const tracking& t, std::string id) {
    state_change c;
    c.id = std::move(id);
    c.track = t;
    c.track.status = {message_state::delivered, "DELIVERED", "delivered", "2026-11-23T10:00:01Z"};
    c.dequeue = true;
    return c;
}

/// Accepts m1 and m2 into one pull queue and leases both, as a getMessages does.
void accept_two_leased(message_store& m) {
    REQUIRE(run_task(m.accept(sample("m1"))));
    REQUIRE(run_task(m.accept(sample("m2"))));
    const auto seq1 = (**stored_track(m, "m1")).seq;
    REQUIRE(run_task(m.set_leases({{"m1", 42, "pull/owner/svc", seq1}, {"m2", 42, "pull/owner/svc", seq1 + 1}})));
}

} // namespace

TEST_CASE("an accepted message survives reopening the store", "[unit][storage][suite]") {
    const std::string k = GENERATE(from_range(test::suite_store_kinds()));
    test::temp_dir dir;
    std::uint64_t seq = 0;
    {
        auto s = test::open_suite_store(dir, k);
        auto r = run_task(s->messages().accept(sample("m1")));
        REQUIRE(r);
        seq = *r;
    }
    auto s = test::open_suite_store(dir, k);
    auto& m = s->messages();
    CHECK(depth_of(m, "pull/owner/svc") == 1);
    const auto entries = scanned(m, "pull/owner/svc", 0, 10);
    REQUIRE(entries);
    REQUIRE(entries->size() == 1);
    CHECK((*entries)[0].id == "m1");
    CHECK((*entries)[0].seq == seq);
    const auto body = stored_body(m, "m1");
    REQUIRE(body);
    REQUIRE(*body);
    CHECK((*body)->message.data.content == "<x:doc>Сәлем</x:doc>");
    CHECK((*body)->message.data.attributes == "xmlns:x=\"urn:x\"");
    CHECK((*body)->message.info.type == message_type::update);
    CHECK((*body)->message.info.properties.size() == 1);
    const auto track = stored_track(m, "m1");
    REQUIRE(track);
    REQUIRE(*track);
    CHECK((*track)->seq == seq);
    CHECK((*track)->status.code == "ACCEPTED");
    const auto queues = stored_queues(m);
    REQUIRE(queues.size() == 1);
    CHECK(queues[0] == std::pair<std::string, std::size_t>{"pull/owner/svc", 1});
}

TEST_CASE("queue sequences keep increasing across reopenings", "[unit][storage][suite]") {
    const std::string k = GENERATE(from_range(test::suite_store_kinds()));
    test::temp_dir dir;
    std::uint64_t first = 0;
    {
        auto s = test::open_suite_store(dir, k);
        first = *run_task(s->messages().accept(sample("a")));
    }
    auto s = test::open_suite_store(dir, k);
    const auto second = run_task(s->messages().accept(sample("b")));
    REQUIRE(second);
    CHECK(*second > first);
    const auto entries = scanned(s->messages(), "pull/owner/svc", 0, 10);
    REQUIRE(entries->size() == 2);
    CHECK((*entries)[0].id == "a");
    CHECK((*entries)[1].id == "b");
    CHECK(scanned(s->messages(), "pull/owner/svc", *second, 10)->size() == 1);
}

TEST_CASE("a final state change leaves the queue for good, once", "[unit][storage][suite]") {
    const std::string k = GENERATE(from_range(test::suite_store_kinds()));
    test::temp_dir dir;
    {
        auto s = test::open_suite_store(dir, k);
        auto& m = s->messages();
        REQUIRE(run_task(m.accept(sample("m1"))));
        const auto t = **stored_track(m, "m1");
        REQUIRE(run_task(m.change(delivered(t, "m1"))));
        const auto again = run_task(m.change(delivered(t, "m1")));
        REQUIRE_FALSE(again);
        CHECK(again.error().code == errc::message_final);
        CHECK_FALSE(run_task(m.change(delivered(t, "unknown"))));
    }
    auto s = test::open_suite_store(dir, k);
    auto& m = s->messages();
    CHECK(scanned(m, "pull/owner/svc", 0, 10)->empty());
    CHECK(depth_of(m, "pull/owner/svc") == 0);
    CHECK_FALSE(*stored_body(m, "m1")); // the body is gone
    REQUIRE(*stored_track(m, "m1"));     // the status stays
    CHECK((*stored_track(m, "m1"))->status.state == message_state::delivered);
}

TEST_CASE("a dequeued entry stays gone through flushes, and only it", "[unit][storage][suite]") {
    const std::string k = GENERATE(from_range(test::suite_store_kinds()));
    // Each reopening replays the log and flushes it, where the deletion
    // meets the entry it removes (and must remove no other).
    test::temp_dir dir;
    {
        auto s = test::open_suite_store(dir, k);
        auto& m = s->messages();
        for (const char* id : {"a", "b", "c"}) REQUIRE(run_task(m.accept(sample(id))));
        REQUIRE(run_task(m.change(delivered(**stored_track(m, "b"), "b"))));
    }
    for (int reopening = 0; reopening < 2; ++reopening) {
        auto s = test::open_suite_store(dir, k);
        const auto entries = scanned(s->messages(), "pull/owner/svc", 0, 10);
        REQUIRE(entries->size() == 2);
        CHECK((*entries)[0].id == "a");
        CHECK((*entries)[1].id == "c");
        CHECK(depth_of(s->messages(), "pull/owner/svc") == 2);
    }
}

TEST_CASE("leased messages' tracking stays what is written through every change", "[unit][storage][suite]") {
    const std::string k = GENERATE(from_range(test::suite_store_kinds()));
    // getMessages leases warm the tracking cache; each later change must
    // be seen by the next reader and by the committer's own checks.
    test::temp_dir dir;
    auto s = test::open_suite_store(dir, k);
    auto& m = s->messages();
    accept_two_leased(m);

    auto resend = **stored_track(m, "m1");
    resend.status = {message_state::on_delivery, "RESEND", "again", "2026-11-23T10:00:02Z"};
    resend.attempts = 1;
    state_change c;
    c.id = "m1";
    c.track = resend;
    c.release_lease = true;
    REQUIRE(run_task(m.change(c)));
    CHECK((**stored_track(m, "m1")).status.code == "RESEND");
    CHECK((**stored_track(m, "m1")).attempts == 1);

    REQUIRE(run_task(m.change(delivered(**stored_track(m, "m1"), "m1"))));
    CHECK((**stored_track(m, "m1")).status.state == message_state::delivered);
    const auto again = run_task(m.change(delivered(**stored_track(m, "m2"), "m1")));
    REQUIRE_FALSE(again); // final, whatever a stale copy would say
    CHECK(again.error().code == errc::message_final);

    REQUIRE(run_task(m.change(delivered(**stored_track(m, "m2"), "m2"))));
    s.reset();
    auto reopened = test::open_suite_store(dir, k);
    CHECK((**stored_track(reopened->messages(), "m1")).status.state == message_state::delivered);
    CHECK((**stored_track(reopened->messages(), "m2")).status.state == message_state::delivered);
    CHECK(depth_of(reopened->messages(), "pull/owner/svc") == 0);
}

TEST_CASE("a queue at its bound refuses with QUEUE_FULL", "[unit][storage][suite]") {
    const std::string k = GENERATE(from_range(test::suite_store_kinds()));
    test::temp_dir dir;
    auto s = test::open_suite_store(dir, k);
    auto& m = s->messages();
    REQUIRE(run_task(m.accept(sample("a", "dp/x", 2))));
    REQUIRE(run_task(m.accept(sample("b", "dp/x", 2))));
    const auto full = run_task(m.accept(sample("c", "dp/x", 2)));
    REQUIRE_FALSE(full);
    CHECK(full.error().code == errc::queue_full);
    CHECK(run_task(m.accept(sample("c", "dp/other", 2)))); // other queues are not affected
    REQUIRE(run_task(m.change(delivered(**stored_track(m, "a"), "a"))));
    CHECK(run_task(m.accept(sample("c2", "dp/x", 2))));
}

TEST_CASE("a state change and the notifications it causes are one write", "[unit][storage][suite]") {
    const std::string k = GENERATE(from_range(test::suite_store_kinds()));
    test::temp_dir dir;
    {
        auto s = test::open_suite_store(dir, k);
        auto& m = s->messages();
        REQUIRE(run_task(m.accept(sample("m1"))));
        auto c = delivered(**stored_track(m, "m1"), "m1");
        auto n = sample("n1", "is/sender");
        auto b = std::make_shared<queued_message>(*n.body);
        b->kind = record_kind::status_notification;
        b->notification = {"n1", "m1", c.track.status};
        n.body = b;
        c.enqueue.push_back(n);
        REQUIRE(run_task(m.change(c)));
    }
    auto s = test::open_suite_store(dir, k);
    const auto body = stored_body(s->messages(), "n1");
    REQUIRE(*body);
    CHECK((*body)->kind == record_kind::status_notification);
    CHECK((*body)->notification.message_id == "m1");
    CHECK((*body)->notification.status.state == message_state::delivered);
    CHECK(depth_of(s->messages(), "is/sender") == 1);
}

TEST_CASE("chains and leases are stored durably", "[unit][storage][suite]") {
    const std::string k = GENERATE(from_range(test::suite_store_kinds()));
    test::temp_dir dir;
    std::uint64_t seq1 = 0;
    {
        auto s = test::open_suite_store(dir, k);
        auto& m = s->messages();
        auto first = sample("m1");
        first.opens = chain{"c1", "svc", "sender", "owner", "dp"};
        auto at1 = run_task(m.accept(first));
        REQUIRE(at1);
        auto at2 = run_task(m.accept(sample("m2")));
        REQUIRE(at2);
        seq1 = *at1;
        REQUIRE(run_task(m.set_leases({{"m1", 42, "pull/owner/svc", *at1}, {"m2", 43, "pull/owner/svc", *at2}})));
        REQUIRE(run_task(m.set_leases({{"m2", 0, "pull/owner/svc", *at2}})));
    }
    auto s = test::open_suite_store(dir, k);
    const auto c = stored_chain(s->messages(), "c1");
    REQUIRE(*c);
    CHECK((*c)->opener == "sender");
    CHECK((*c)->point == "dp");
    CHECK_FALSE(*stored_chain(s->messages(), "c2"));
    const auto leases = stored_leases(s->messages());
    REQUIRE(leases->size() == 1);
    CHECK((*leases)[0].id == "m1");
    CHECK((*leases)[0].until_ms == 42);
    CHECK((*leases)[0].destination == "pull/owner/svc");
    CHECK((*leases)[0].seq == seq1);
}

TEST_CASE("a confirmed message's lease is not restored after a restart", "[unit][storage][suite]") {
    const std::string k = GENERATE(from_range(test::suite_store_kinds()));
    test::temp_dir dir;
    {
        auto s = test::open_suite_store(dir, k);
        auto& m = s->messages();
        accept_two_leased(m);
        REQUIRE(run_task(m.change(delivered(**stored_track(m, "m1"), "m1"))));
    }
    auto s = test::open_suite_store(dir, k);
    const auto leases = stored_leases(s->messages());
    REQUIRE(leases);
    REQUIRE(leases->size() == 1);
    CHECK((*leases)[0].id == "m2");
}

TEST_CASE("concurrent writers share group commits and get distinct sequences", "[unit][storage][suite]") {
    const std::string k = GENERATE(from_range(test::suite_store_kinds()));
    test::temp_dir dir;
    auto s = test::open_suite_store(dir, k);
    auto& m = s->messages();
    boost::asio::io_context ctx;
    std::set<std::uint64_t> seqs;
    int failures = 0;
    constexpr int n = 300;
    for (int i = 0; i < n; ++i)
        boost::asio::co_spawn(ctx, m.accept(sample("m" + std::to_string(i))), [&](std::exception_ptr, result<std::uint64_t> r) {
            if (r) seqs.insert(*r);
            else ++failures;
        });
    ctx.run();
    CHECK(failures == 0);
    CHECK(seqs.size() == n);
    CHECK(depth_of(m, "pull/owner/svc") == n);
    // Scans see the queue in sequence order.
    const auto entries = scanned(m, "pull/owner/svc", 0, n);
    REQUIRE(entries->size() == n);
    CHECK(std::is_sorted(entries->begin(), entries->end(), [](auto& a, auto& b) { return a.seq < b.seq; }));
}

TEST_CASE("writes after stop fail at once instead of hanging", "[unit][storage][suite]") {
    const std::string k = GENERATE(from_range(test::suite_store_kinds()));
    test::temp_dir dir;
    auto s = test::open_suite_store(dir, k);
    s->messages().stop();
    const auto r = run_task(s->messages().accept(sample("late")));
    REQUIRE_FALSE(r);
    CHECK(r.error().code == errc::internal);
}

TEST_CASE("a change submitted right behind its acceptance applies, in the same batch or the next", "[unit][storage][suite]") {
    const std::string k = GENERATE(from_range(test::suite_store_kinds()));
    test::temp_dir dir;
    auto s = test::open_suite_store(dir, k);
    auto& m = s->messages();
    for (int round = 0; round < 20; ++round) {
        const auto id = "m" + std::to_string(round);
        auto msg = sample(id);
        boost::asio::io_context ctx;
        result<std::uint64_t> accepted = fail(errc::internal);
        result<void> changed = fail(errc::internal);
        boost::asio::co_spawn(ctx, m.accept(msg), [&](std::exception_ptr, result<std::uint64_t> r) { accepted = r; });
        boost::asio::co_spawn(ctx, m.change(delivered(msg.track, id)), [&](std::exception_ptr, result<void> r) { changed = r; });
        ctx.run();
        REQUIRE(accepted);
        INFO((changed ? std::string() : changed.error().detail));
        REQUIRE(changed);
        CHECK((*stored_track(m, id))->status.state == message_state::delivered);
    }
    CHECK(depth_of(m, "pull/owner/svc") == 0);
    CHECK(scanned(m, "pull/owner/svc", 0, 100)->empty());
}

TEST_CASE("the queued observer sees each admitted message with its sequence", "[unit][storage][suite]") {
    const std::string k = GENERATE(from_range(test::suite_store_kinds()));
    test::temp_dir dir;
    auto s = test::open_suite_store(dir, k);
    auto& m = s->messages();
    std::vector<std::uint64_t> seen;
    m.set_queued_observer([&](const new_message& n) { seen.push_back(n.track.seq); });
    const auto a = run_task(m.accept(sample("a")));
    const auto b = run_task(m.accept(sample("b")));
    REQUIRE((a && b));
    CHECK(seen == std::vector<std::uint64_t>{*a, *b});
    // A refused message is not offered.
    REQUIRE_FALSE(run_task(m.accept(sample("c", "pull/owner/svc", 2))));
    CHECK(seen.size() == 2);
    m.set_queued_observer(nullptr);
}

TEST_CASE("a peer's forward is stored only once, whatever the concurrency", "[unit][storage][suite]") {
    const std::string k = GENERATE(from_range(test::suite_store_kinds()));
    test::temp_dir dir;
    auto s = test::open_suite_store(dir, k);
    auto& m = s->messages();
    std::vector<std::string> offered;
    m.set_queued_observer([&](const new_message& n) { offered.push_back(n.body->id); });
    const auto forward = [](const std::string& id) {
        auto n = sample(id, "dp/x");
        n.if_absent = true;
        return n;
    };
    REQUIRE(run_task(m.accept(forward("fwd"))));
    const auto again = run_task(m.accept(forward("fwd")));
    REQUIRE_FALSE(again);
    CHECK(again.error().code == errc::conflict);
    // many at once share group commits: a batch knows what it holds itself
    boost::asio::io_context ctx;
    int stored = 0, refused = 0;
    for (int i = 0; i < 50; ++i)
        boost::asio::co_spawn(ctx, m.accept(forward("fwd2")), [&](std::exception_ptr, result<std::uint64_t> r) {
            if (r) ++stored;
            else if (r.error().code == errc::conflict) ++refused;
        });
    ctx.run();
    CHECK(stored == 1);
    CHECK(refused == 49);
    CHECK(depth_of(m, "dp/x") == 2);
    CHECK(offered == std::vector<std::string>{"fwd", "fwd2"}); // the PUSH engine is offered each once
    m.set_queued_observer(nullptr);
}

TEST_CASE("a message a peer took leaves its queue, and its peer's late reports do not overwrite newer ones",
          "[unit][storage][suite]") {
    const std::string k = GENERATE(from_range(test::suite_store_kinds()));
    test::temp_dir dir;
    auto s = test::open_suite_store(dir, k);
    auto& m = s->messages();
    REQUIRE(run_task(m.accept(sample("fwd", "dp/to-far"))));
    // taken by the peer: out of the queue, still on its way
    state_change taken;
    taken.id = "fwd";
    taken.track = **stored_track(m, "fwd");
    taken.track.forwarded_to = "far";
    taken.track.status = {message_state::on_delivery, "FORWARDED", "taken", "2026-01-01T00:00:00Z"};
    taken.dequeue = true;
    REQUIRE(run_task(m.change(taken)));
    CHECK(depth_of(m, "dp/to-far") == 0);
    CHECK(scanned(m, "dp/to-far", 0, 10)->empty());
    // the peer's reports: a newer one applied, then an older one arriving late refused
    const auto report = [&](std::int64_t at_ms, message_state state) {
        state_change c;
        c.id = "fwd";
        c.track = **stored_track(m, "fwd");
        c.track.peer_status_ms = at_ms;
        c.track.status = {state, "AT_PEER", "at peer", "2026-01-01T00:00:01Z"};
        return c;
    };
    auto stale = report(1000, message_state::on_delivery); // read before the newer one is written
    REQUIRE(run_task(m.change(report(2000, message_state::delivery_stopped))));
    const auto late = run_task(m.change(stale));
    REQUIRE_FALSE(late);
    CHECK(late.error().code == errc::conflict);
    auto t = *stored_track(m, "fwd");
    REQUIRE(t);
    CHECK(t->status.state == message_state::delivery_stopped);
    CHECK(t->forwarded_to == "far");
    CHECK(t->peer_status_ms == 2000);
    REQUIRE(run_task(m.change(report(3000, message_state::delivered))));
    CHECK((*stored_track(m, "fwd"))->status.state == message_state::delivered);
    CHECK(depth_of(m, "dp/to-far") == 0); // counted out once
}
