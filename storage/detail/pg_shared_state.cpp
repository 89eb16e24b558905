#include "storage/detail/pg_shared_state.hpp"

#include "storage/detail/pg_leases.hpp"
#include "storage/detail/pg_point_owners.hpp"
#include "storage/detail/pg_throttle.hpp"

namespace qaqpa::storage::detail {
namespace {

/// How long a call waits for a pooled connection.
constexpr auto pool_wait = std::chrono::seconds(10);

} // namespace

pg_shared_state::pg_shared_state(pg_pool& pool, std::string schema, std::string node)
    : pool_(pool), schema_(std::move(schema)), node_(std::move(node)) {}

task<result<std::vector<queue_entry>>> pg_shared_state::lease(std::string destination,
                                                              std::vector<std::uint64_t> only, std::size_t limit,
                                                              std::int64_t now_ms, std::int64_t until_ms) {
    auto c = co_await pool_.acquire(pool_wait);
    if (!c) co_return c.error();
    co_return co_await pg_lease_next(**c, schema_, std::move(destination), std::move(only), limit, now_ms, until_ms);
}

task<result<std::vector<std::string>>> pg_shared_state::claim_points(std::vector<std::string> points,
                                                                     std::chrono::milliseconds ttl) {
    auto c = co_await pool_.acquire(pool_wait);
    if (!c) co_return c.error();
    co_return co_await pg_claim_points(**c, schema_, node_, std::move(points), ttl);
}

task<result<void>> pg_shared_state::release_points(std::vector<std::string> points) {
    auto c = co_await pool_.acquire(pool_wait);
    if (!c) co_return c.error();
    co_return co_await pg_release_points(**c, schema_, node_, std::move(points));
}

task<result<std::chrono::milliseconds>> pg_shared_state::throttle_take(std::string key, int limit,
                                                                       std::chrono::milliseconds window) {
    auto c = co_await pool_.acquire(pool_wait);
    if (!c) co_return c.error();
    co_return co_await pg_throttle_take(**c, schema_, std::move(key), limit, window);
}

task<result<std::string>> pg_shared_state::registry_stamp() {
    auto c = co_await pool_.acquire(pool_wait);
    if (!c) co_return c.error();
    // The row's version changes with every save, whoever saved it.
    auto rows = co_await (*c)->exec_prepared("SELECT xmin::text FROM \"" + schema_ + "\".registry WHERE id = 1", {});
    if (!rows) co_return rows.error();
    co_return rows->size() == 0 ? std::string() : std::string(rows->text(0, 0));
}

} // namespace qaqpa::storage::detail
