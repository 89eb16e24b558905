// What the nodes of one PostgreSQL store decide together (shared_state):
// PULL leases taken on the server, so two nodes never offer one message at
// once and a confirmation through either settles it; the registry's stamp.
#include "storage/shared_state.hpp"

#include "storage/store.hpp"
#include "tests/support/postgres_test.hpp"
#include "tests/support/run_task.hpp"

#include <mutex>
#include <set>
#include <thread>

using namespace qaqpa;
using namespace qaqpa::storage;
using qaqpa::test::run_task;

namespace {

options node_options(const test::postgres_server& pg, const std::string& schema, const std::string& name) {
    options o{"", true, "postgresql"};
    o.postgresql.dsn = pg.dsn();
    o.postgresql.schema = schema;
    o.postgresql.pool = 4;
    o.postgresql.node = name;
    return o;
}

constexpr std::string_view queue = "pull/owner/svc";

new_message sample(std::string id) {
    auto b = std::make_shared<queued_message>();
    b->id = id;
    b->message.info.message_id = id;
    b->message.info.correlation_id = "chain-" + id;
    b->message.info.service_id = "svc";
    b->message.data = {true, payload_format::xml, "", "<doc/>"};
    new_message m;
    m.body = b;
    m.track.destination = std::string(queue);
    m.track.sender = "sender";
    m.track.recipient = "owner";
    m.track.service_id = "svc";
    m.track.status = {message_state::on_delivery, "ACCEPTED", "accepted", "2026-12-06T10:00:00Z"};
    return m;
}

/// Two nodes, "a" and "b", on a fresh schema of the test's server.
struct two_nodes {
    explicit two_nodes(const test::postgres_server& pg) {
        const auto schema = test::fresh_pg_schema();
        auto opened_a = open_store(node_options(pg, schema, "a"));
        REQUIRE(opened_a);
        auto opened_b = open_store(node_options(pg, schema, "b"));
        REQUIRE(opened_b);
        a = std::move(*opened_a);
        b = std::move(*opened_b);
    }
    std::unique_ptr<store> a, b;
};

std::vector<std::string> ids_of(const std::vector<queue_entry>& entries) {
    std::vector<std::string> out;
    for (const auto& e : entries) out.push_back(e.id);
    return out;
}

} // namespace

TEST_CASE("two nodes lease a shared queue's messages apart; either settles them", "[postgresql][storage]") {
    QAQPA_NEED_POSTGRES(pg);
    two_nodes nodes(*pg);
    auto& a = nodes.a;
    auto& b = nodes.b;
    auto* sa = a->messages().shared();
    auto* sb = b->messages().shared();
    REQUIRE(sa);
    REQUIRE(sb);
    CHECK(sa->node() == "a");
    for (int i = 0; i < 5; ++i) REQUIRE(run_task(a->messages().accept(sample("m" + std::to_string(i)))));

    const std::int64_t now = 1'000'000;
    auto first = run_task(sa->lease(std::string(queue), {}, 2, now, now + 60'000));
    REQUIRE(first);
    CHECK(ids_of(*first) == std::vector<std::string>{"m0", "m1"});
    CHECK((*first)[0].body->message.data.content == "<doc/>");
    auto rest = run_task(sb->lease(std::string(queue), {}, 10, now, now + 60'000)); // past a's live leases
    REQUIRE(rest);
    CHECK(ids_of(*rest) == std::vector<std::string>{"m2", "m3", "m4"});
    CHECK(run_task(sa->lease(std::string(queue), {}, 10, now, now + 60'000))->empty());

    // b confirms what a offered: gone for both
    auto t0 = run_task(b->messages().track("m0"));
    REQUIRE(t0);
    REQUIRE(*t0);
    state_change done;
    done.id = "m0";
    done.track = **t0;
    done.track.status = {message_state::delivered, "DELIVERED", "delivered", "2026-12-06T10:00:01Z"};
    done.dequeue = true;
    REQUIRE(run_task(b->messages().change(done)));
    CHECK(*run_task(a->messages().depth(queue)) == 4); // a put five in, b took one out
    CHECK(*run_task(b->messages().depth(queue)) == 4);
    // a RESEND through b: m1 comes back at its place, to whoever asks next
    auto t1 = run_task(b->messages().track("m1"));
    REQUIRE(t1);
    state_change again;
    again.id = "m1";
    again.track = **t1;
    again.release_lease = true;
    REQUIRE(run_task(b->messages().change(again)));
    auto back = run_task(sa->lease(std::string(queue), {}, 10, now, now + 60'000));
    REQUIRE(back);
    CHECK(ids_of(*back) == std::vector<std::string>{"m1"});

    // ended leases are offered again, in order; one position asked by name
    const auto later = now + 120'000;
    auto named = run_task(sb->lease(std::string(queue), {(*rest)[1].seq}, 10, later, later + 60'000));
    REQUIRE(named);
    CHECK(ids_of(*named) == std::vector<std::string>{"m3"});
    auto expired = run_task(sb->lease(std::string(queue), {}, 10, later, later + 60'000));
    REQUIRE(expired);
    CHECK(ids_of(*expired) == std::vector<std::string>{"m1", "m2", "m4"});
}

TEST_CASE("concurrent pullers on two nodes never get one message twice", "[postgresql][storage]") {
    QAQPA_NEED_POSTGRES(pg);
    two_nodes nodes(*pg);
    auto& a = nodes.a;
    auto& b = nodes.b;
    constexpr int total = 400;
    for (int i = 0; i < total; ++i) REQUIRE(run_task(a->messages().accept(sample("m" + std::to_string(i)))));

    std::mutex mutex;
    std::multiset<std::string> offered;
    std::vector<std::thread> pullers;
    for (int n = 0; n < 6; ++n)
        pullers.emplace_back([&, n] {
            auto* s = (n % 2 ? b : a)->messages().shared();
            for (int round = 0; round < 200; ++round) {
                auto got = run_task(s->lease(std::string(queue), {}, 7, 1'000, 60'000));
                REQUIRE(got);
                if (got->empty()) return;
                std::lock_guard lk(mutex);
                for (const auto& e : *got) offered.insert(e.id);
            }
        });
    for (auto& t : pullers) t.join();
    CHECK(offered.size() == total);
    CHECK(std::set<std::string>(offered.begin(), offered.end()).size() == total);
}

TEST_CASE("two nodes accepting into one queue at once count its depth together", "[postgresql][storage]") {
    QAQPA_NEED_POSTGRES(pg);
    two_nodes nodes(*pg);
    constexpr int each = 150;
    std::vector<std::thread> senders;
    for (auto* node : {nodes.a.get(), nodes.b.get()})
        senders.emplace_back([node] {
            for (int i = 0; i < each; ++i) {
                auto m = sample(std::string(node->messages().shared()->node()) + "-" + std::to_string(i));
                m.max_depth = 1'000;
                REQUIRE(run_task(node->messages().accept(std::move(m))));
            }
        });
    for (auto& t : senders) t.join();
    CHECK(*run_task(nodes.a->messages().depth(queue)) == 2 * each);
    CHECK(*run_task(nodes.b->messages().depth(queue)) == 2 * each);
    auto counted = run_task(nodes.a->messages().queues());
    REQUIRE(counted);
    REQUIRE(counted->size() == 1);
    CHECK(counted->front().second == 2 * each);
}

TEST_CASE("the registry's stamp changes with every save, through any node", "[postgresql][storage]") {
    QAQPA_NEED_POSTGRES(pg);
    two_nodes nodes(*pg);
    auto& a = nodes.a;
    auto& b = nodes.b;
    auto* sb = b->messages().shared();
    CHECK(*run_task(sb->registry_stamp()) == "");
    registry live;
    REQUIRE(a->save_registry(live, "one"));
    const auto first = run_task(sb->registry_stamp());
    REQUIRE(first);
    CHECK(!first->empty());
    CHECK(*run_task(sb->registry_stamp()) == *first);
    REQUIRE(a->save_registry(live, "two"));
    CHECK(*run_task(sb->registry_stamp()) != *first);
}
