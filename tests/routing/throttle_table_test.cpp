// The throttle table's windows: its own, or the store's shared by the nodes
// (a stand-in shared_state here), falling back to its own when the store
// does not answer.
#include "routing/policies/throttle_table.hpp"

#include "tests/support/run_task.hpp"

#include "tests/support/catch.hpp"

using namespace qaqpa;
using namespace qaqpa::routing;
using qaqpa::test::run_task;

namespace {

/// Answers throttle_take with `answer`, counting the calls; nothing else is used.
class shared_window final : public storage::shared_state {
public:
    result<std::chrono::milliseconds> answer = std::chrono::milliseconds(0);
    int takes = 0;

    const std::string& node() const override { return name_; }
    task<result<std::vector<storage::queue_entry>>> lease(std::string, std::vector<std::uint64_t>, std::size_t,
                                                          std::int64_t, std::int64_t) override {
        co_return std::vector<storage::queue_entry>{};
    }
    task<result<std::vector<std::string>>> claim_points(std::vector<std::string>, std::chrono::milliseconds) override {
        co_return std::vector<std::string>{};
    }
    task<result<void>> release_points(std::vector<std::string>) override { co_return result<void>{}; }
    task<result<std::chrono::milliseconds>> throttle_take(std::string, int, std::chrono::milliseconds) override {
        ++takes;
        co_return answer;
    }
    task<result<std::string>> registry_stamp() override { co_return std::string(); }

private:
    std::string name_ = "test";
};

} // namespace

TEST_CASE("a throttle table admits from its own window, or from the shared one when the store has one",
          "[unit][routing]") {
    const throttle_policy one_a_minute{1, 60};
    throttle_table own;
    CHECK_FALSE(run_task(own.admit("dp", one_a_minute, 1000)));
    CHECK(run_task(own.admit("dp", one_a_minute, 1001)) == std::optional<std::int64_t>(61000));

    shared_window shared;
    throttle_table table;
    table.set_shared(&shared);
    CHECK_FALSE(run_task(table.admit("dp", one_a_minute, 1000))); // the store's window has room
    shared.answer = std::chrono::milliseconds(250);
    CHECK(run_task(table.admit("dp", one_a_minute, 1000)) == std::optional<std::int64_t>(1250));
    CHECK(shared.takes == 2);
    CHECK(table.in_window("dp", 1000) == 0); // nothing counted here

    shared.answer = fail(errc::store_unavailable, "down");
    CHECK_FALSE(run_task(table.admit("dp", one_a_minute, 2000))); // counted on this node alone
    CHECK(run_task(table.admit("dp", one_a_minute, 2001)) == std::optional<std::int64_t>(62000));
}
