#include "storage/detail/pg_throttle.hpp"

namespace qaqpa::storage::detail {

task<result<std::chrono::milliseconds>> pg_throttle_take(pg_connection& c, std::string schema, std::string key,
                                                         int limit, std::chrono::milliseconds window) {
    std::vector<pg_param> params{std::move(key), std::to_string(limit), std::to_string(window.count())};
    auto rows = co_await c.exec("SELECT \"" + schema + "\".throttle_take($1, $2::integer, $3::bigint)",
                                std::move(params));
    if (!rows) co_return rows.error();
    co_return std::chrono::milliseconds(std::stoll(std::string(rows->text(0, 0))));
}

} // namespace qaqpa::storage::detail
