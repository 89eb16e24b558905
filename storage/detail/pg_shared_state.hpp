#pragma once
// shared_state on PostgreSQL (private to storage/): each call one statement
// on a connection of the node's pool (pg_leases, pg_point_owners,
// pg_throttle, the registry row's stamp).

#include "storage/detail/pg_pool.hpp"
#include "storage/shared_state.hpp"

#include <string>

namespace qaqpa::storage::detail {

class pg_shared_state final : public shared_state {
public:
    pg_shared_state(pg_pool& pool, std::string schema, std::string node);

    const std::string& node() const override { return node_; }
    task<result<std::vector<queue_entry>>> lease(std::string destination, std::vector<std::uint64_t> only,
                                                 std::size_t limit, std::int64_t now_ms,
                                                 std::int64_t until_ms) override;
    task<result<std::vector<std::string>>> claim_points(std::vector<std::string> points,
                                                        std::chrono::milliseconds ttl) override;
    task<result<void>> release_points(std::vector<std::string> points) override;
    task<result<std::chrono::milliseconds>> throttle_take(std::string key, int limit,
                                                          std::chrono::milliseconds window) override;
    task<result<std::string>> registry_stamp() override;

private:
    pg_pool& pool_;
    const std::string schema_;
    const std::string node_;
};

} // namespace qaqpa::storage::detail
