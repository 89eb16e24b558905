// The journal's part of the store test suite: every store implementation
// (storage::store_kinds()) runs each case.
#include "storage/journal_store.hpp"

#include "core/ids.hpp"
#include "storage/journal_verify.hpp"
#include "storage/store.hpp"
#include "tests/storage/suite_store.hpp"
#include "tests/support/run_task.hpp"
#include "tests/support/temp_dir.hpp"

#include "tests/support/catch.hpp"

#include <sstream>
#include <thread>

using namespace qaqpa;
using namespace qaqpa::storage;
using qaqpa::test::run_task;

namespace {

journal_event event(journal_event_kind k, std::string id) {
    journal_event e;
    e.kind = k;
    e.message_id = std::move(id);
    e.sender = "sender";
    e.service_id = "svc";
    e.at_ms = 1796311757000;
    return e;
}

new_message message(std::string id) {
    auto b = std::make_shared<queued_message>();
    b->id = id;
    b->message.info.message_id = id;
    b->message.info.service_id = "svc";
    new_message m;
    m.body = b;
    m.track.destination = "pull/owner/svc";
    m.track.sender = "sender";
    m.track.recipient = "owner";
    m.track.service_id = "svc";
    m.track.status = {message_state::on_delivery, "ACCEPTED", "accepted", "2026-12-03T10:00:00Z"};
    m.journal.push_back(event(journal_event_kind::accepted, id));
    return m;
}

state_change delivered(std::string id) {
    state_change c;
    c.id = id;
    c.track.sender = "sender";
    c.track.recipient = "owner";
    c.track.service_id = "svc";
    c.track.status = {message_state::delivered, "DELIVERED", "delivered", "2026-12-03T10:00:01Z"};
    c.dequeue = true;
    c.journal.push_back(event(journal_event_kind::delivered, std::move(id)));
    return c;
}

std::vector<journal_row> rows(journal_store& j, journal_query q = {}) {
    q.limit = 100000;
    auto page = run_task(j.query(q));
    REQUIRE(page);
    return std::move(page->rows);
}

/// Loose rows are written by the next group commit: wait for them, bounded.
void wait_for_rows(journal_store& j, std::uint64_t n) {
    for (int i = 0; i < 500 && j.head()->last < n; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    REQUIRE(j.head()->last >= n);
}

verify_report verify(const std::vector<journal_row>& rs) {
    std::stringstream in;
    for (const auto& r : rs) in << to_json_line(r) << '\n';
    return verify_export(in);
}

std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

} // namespace

TEST_CASE("journal rows are written with the state changes they record, in one chain", "[unit][storage][suite][journal]") {
    const std::string k = GENERATE(from_range(test::suite_store_kinds()));
    test::temp_dir dir;
    auto s = test::open_suite_store(dir, k);
    auto& m = s->messages();
    auto& j = s->journal();
    REQUIRE(run_task(m.accept(message("m1"))));
    REQUIRE(run_task(m.change(delivered("m1"))));
    // A change refused by the store writes no row.
    auto again = run_task(m.change(delivered("m1")));
    REQUIRE_FALSE(again);
    CHECK(again.error().code == errc::message_final);
    j.record(event(journal_event_kind::forwarded, "sync-1"));
    wait_for_rows(j, 3);

    const auto all = rows(j);
    REQUIRE(all.size() == 3);
    CHECK(all[0].number == 1);
    CHECK(all[0].event.kind == journal_event_kind::accepted);
    CHECK(all[1].event.kind == journal_event_kind::delivered);
    CHECK(all[2].event.message_id == "sync-1");
    CHECK(all[0].prev_hash == journal_genesis_hash());
    CHECK(all[1].prev_hash == all[0].hash);
    CHECK(all[0].recorded_ms <= all[1].recorded_ms);
    CHECK(verify(all).ok);
    const auto head = j.head();
    REQUIRE(head);
    CHECK(head->last == 3);
    CHECK(head->last_hash == all[2].hash);
}

TEST_CASE("the chain goes on across reopening the store", "[unit][storage][suite][journal]") {
    const std::string k = GENERATE(from_range(test::suite_store_kinds()));
    test::temp_dir dir;
    {
        auto s = test::open_suite_store(dir, k);
        REQUIRE(run_task(s->messages().accept(message("m1"))));
        s->journal().record(event(journal_event_kind::rejected, "r1"));
        s->messages().stop(); // a clean stop writes the loose rows first
    }
    auto s = test::open_suite_store(dir, k);
    REQUIRE(s->journal().head()->last == 2);
    REQUIRE(run_task(s->messages().accept(message("m2"))));
    const auto all = rows(s->journal());
    REQUIRE(all.size() == 3);
    CHECK(all[2].number == 3);
    CHECK(all[2].prev_hash == all[1].hash);
    CHECK(verify(all).ok);
}

TEST_CASE("journal queries filter, page by cursor and find a message's trail", "[unit][storage][suite][journal]") {
    const std::string k = GENERATE(from_range(test::suite_store_kinds()));
    test::temp_dir dir;
    auto s = test::open_suite_store(dir, k);
    auto& m = s->messages();
    auto& j = s->journal();
    for (int i = 0; i < 30; ++i) REQUIRE(run_task(m.accept(message("m" + std::to_string(i)))));
    const auto middle = now_ms();
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    const auto after_middle = now_ms();
    for (int i = 0; i < 30; i += 3) REQUIRE(run_task(m.change(delivered("m" + std::to_string(i)))));

    journal_query trail;
    trail.message_id = "m6";
    const auto t = rows(j, trail);
    REQUIRE(t.size() == 2);
    CHECK(t[0].event.kind == journal_event_kind::accepted);
    CHECK(t[1].event.kind == journal_event_kind::delivered);

    journal_query kind;
    kind.event = "delivered";
    CHECK(rows(j, kind).size() == 10);

    journal_query later;
    later.from_ms = after_middle;
    for (const auto& r : rows(j, later)) CHECK(r.event.kind == journal_event_kind::delivered);
    CHECK(rows(j, later).size() == 10);
    journal_query earlier;
    earlier.to_ms = middle + 1;
    CHECK(rows(j, earlier).size() == 30);

    // Pages of 7: every row once, in order, then the end.
    journal_query page;
    page.limit = 7;
    std::vector<std::uint64_t> seen;
    for (int guard = 0; guard < 20; ++guard) {
        auto p = run_task(j.query(page));
        REQUIRE(p);
        for (const auto& r : p->rows) seen.push_back(r.number);
        if (p->next == 0) break;
        page.after = p->next;
    }
    REQUIRE(seen.size() == 40);
    for (std::size_t i = 0; i < seen.size(); ++i) CHECK(seen[i] == i + 1);

    // A filter that matches little stops after its budget, with a cursor.
    journal_query sparse;
    sparse.sender = "nobody";
    sparse.examine_budget = 15;
    auto p = run_task(j.query(sparse));
    REQUIRE(p);
    CHECK(p->rows.empty());
    CHECK(p->next == 15);
}

TEST_CASE("pruning removes old rows and final messages, and the chain still verifies", "[unit][storage][suite][journal]") {
    const std::string k = GENERATE(from_range(test::suite_store_kinds()));
    test::temp_dir dir;
    auto s = test::open_suite_store(dir, k);
    auto& m = s->messages();
    auto& j = s->journal();
    const auto old_final = new_ordered_guid(), old_pending = new_ordered_guid();
    REQUIRE(run_task(m.accept(message(old_final))));
    REQUIRE(run_task(m.accept(message(old_pending))));
    REQUIRE(run_task(m.change(delivered(old_final))));
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    const auto cut = now_ms();
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    const auto young = new_ordered_guid();
    REQUIRE(run_task(m.accept(message(young))));
    REQUIRE(run_task(m.change(delivered(young))));

    auto report = j.prune(cut);
    REQUIRE(report);
    CHECK(report->rows == 3);
    CHECK(report->messages == 1); // the old final message; the old one still on its way stays
    const auto head = j.head();
    CHECK(head->pruned_through == 3);
    const auto left = rows(j);
    REQUIRE(left.size() == 2);
    CHECK(left[0].number == 4);
    CHECK(left[0].prev_hash == head->pruned_hash);
    const auto v = verify(left);
    CHECK(v.ok);
    CHECK(v.first == 4);
    CHECK_FALSE(*run_task(m.track(old_final)));
    CHECK(*run_task(m.track(old_pending)));
    CHECK(*run_task(m.track(young)));
    journal_query trail;
    trail.message_id = old_final;
    CHECK(rows(j, trail).empty());

    // After a restart the chain continues from where it stands; pruning
    // everything keeps the anchor.
    s.reset();
    s = test::open_suite_store(dir, k);
    REQUIRE(run_task(s->messages().accept(message("after"))));
    auto all = rows(s->journal());
    REQUIRE(all.size() == 3);
    CHECK(all[2].number == 6);
    CHECK(verify(all).ok);
    REQUIRE(s->journal().prune(now_ms() + 1000));
    CHECK(rows(s->journal()).empty());
    CHECK(s->journal().head()->pruned_through == 6);
    REQUIRE(run_task(s->messages().change(delivered("after"))));
    all = rows(s->journal());
    REQUIRE(all.size() == 1);
    CHECK(all[0].number == 7);
    CHECK(all[0].prev_hash == s->journal().head()->pruned_hash);
}
