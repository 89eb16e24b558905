// The incident journal's part of the store test suite: every store
// implementation (storage::store_kinds()) runs each case.
#include "storage/incident_store.hpp"

#include "storage/store.hpp"
#include "tests/storage/suite_store.hpp"
#include "tests/support/run_task.hpp"
#include "tests/support/temp_dir.hpp"

#include "tests/support/catch.hpp"

using namespace qaqpa;
using namespace qaqpa::storage;
using qaqpa::test::run_task;

namespace {

incident opened(std::string id, std::uint64_t revision) {
    incident i;
    i.id = std::move(id);
    i.cause = incident_cause::undelivered;
    i.reason = "message m1 has waited 25 h";
    i.queue = "pull/owner/svc";
    i.message_id = "m1";
    i.messages = 3;
    i.opened_ms = 1796311757123;
    i.received_ms = 1796225357000;
    i.revision = revision;
    return i;
}

} // namespace

TEST_CASE("incidents are kept, newest revision wins, listed in order and by state", "[unit][storage][suite][incidents]") {
    const std::string k = GENERATE(from_range(test::suite_store_kinds()));
    test::temp_dir dir;
    {
        auto s = test::open_suite_store(dir, k);
        auto& inc = s->incidents();
        REQUIRE(run_task(inc.put_incident(opened("0001", 1))));
        auto newer = opened("0001", 3);
        newer.measures = "the provider restarted its service";
        REQUIRE(run_task(inc.put_incident(newer)));
        REQUIRE(run_task(inc.put_incident(opened("0001", 2)))); // older: ignored, not an error
        auto closed = opened("0002", 1);
        closed.state = incident_state::closed;
        closed.closed_ms = 1796311800000;
        REQUIRE(run_task(inc.put_incident(closed)));
        REQUIRE(run_task(inc.put_incident(opened("0003", 1))));
        s->messages().stop();
    }
    auto s = test::open_suite_store(dir, k); // durable across reopening
    auto& inc = s->incidents();
    auto one = run_task(inc.find_incident("0001"));
    REQUIRE(one);
    REQUIRE(*one);
    CHECK((*one)->revision == 3);
    CHECK((*one)->measures == "the provider restarted its service");
    CHECK((*one)->received_ms == 1796225357000);
    CHECK((*one)->opened_ms == 1796311757123);
    CHECK(*run_task(inc.find_incident("none")) == std::nullopt);

    incident_query all;
    auto listed = run_task(inc.incidents(all));
    REQUIRE(listed);
    REQUIRE(listed->size() == 3);
    CHECK(listed->front().id == "0001");
    CHECK(listed->back().id == "0003");
    all.state = incident_state::open;
    auto open = run_task(inc.incidents(all));
    REQUIRE(open->size() == 2);
    CHECK(open->at(1).id == "0003");
    all.after = "0001";
    all.limit = 1;
    auto page = run_task(inc.incidents(all));
    REQUIRE(page->size() == 1);
    CHECK(page->front().id == "0003");
}
