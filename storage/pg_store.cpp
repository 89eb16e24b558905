// The store on PostgreSQL: several nodes share one database. The schema is
// migrated at start-up (pg_schema); messages, the journal and incidents go
// through this node's committer (pg_messages); the registry is one row that
// every node reads (pg_registry).
#include "storage/store.hpp"

#include "storage/detail/pg_messages.hpp"
#include "storage/detail/pg_pool.hpp"
#include "storage/detail/pg_registry.hpp"
#include "storage/detail/pg_schema.hpp"

#include <unistd.h>

#include <climits>

namespace qaqpa::storage {
namespace {

using namespace detail;

constexpr auto pool_wait = std::chrono::seconds(10);

/// `dsn` with `password` added as a libpq keyword value (quoted, so any
/// character is data).
std::string with_password(std::string dsn, const std::string& password) {
    if (password.empty()) return dsn;
    std::string quoted = "'";
    for (const char ch : password) {
        if (ch == '\'' || ch == '\\') quoted += '\\';
        quoted += ch;
    }
    return dsn + " password=" + quoted + "'";
}

std::string host_name() {
    char name[HOST_NAME_MAX + 1] = {};
    if (gethostname(name, sizeof name - 1) != 0 || !*name) return "qaqpa";
    return name;
}

class pg_store final : public detail::store_with_committer {
public:
    pg_store(std::unique_ptr<pg_pool> pool, std::string schema)
        : pool_(std::move(pool)), schema_(std::move(schema)) {}

    ~pg_store() override { messages_.reset(); } // its committer stops before the pool goes

    result<void> open(const options& opts, const std::string& dsn) {
        auto migrated = run_blocking(migrate_schema());
        if (!migrated) return migrated.error();
        const auto node = opts.postgresql.node.empty() ? host_name() : opts.postgresql.node;
        auto m = open_pg_messages(*pool_, {dsn, schema_, node, opts.metrics});
        if (!m) return m.error();
        messages_ = std::move(*m);
        return {};
    }

    // Called at start-up and by the registry editor's own thread: blocking is fine there.
    result<std::optional<registry>> load_registry() override {
        auto row = run_blocking(load());
        if (!row) return row.error();
        if (!*row) return std::optional<registry>{};
        return std::optional<registry>(std::move((*row)->live));
    }

    result<std::optional<std::string>> bootstrap_source() override {
        auto row = run_blocking(load());
        if (!row) return row.error();
        if (!*row) return std::optional<std::string>{};
        return std::optional<std::string>(std::move((*row)->bootstrap_source));
    }

    result<void> save_registry(const registry& live, const std::string& source) override {
        return run_blocking(save(live, source));
    }

private:
    task<result<void>> migrate_schema() {
        auto c = co_await pool_->acquire(pool_wait);
        if (!c) co_return c.error();
        auto done = co_await migrate(**c, schema_);
        if (!done) co_return done.error();
        co_return result<void>{};
    }

    task<result<std::optional<pg_registry_row>>> load() {
        auto c = co_await pool_->acquire(pool_wait);
        if (!c) co_return c.error();
        co_return co_await pg_load_registry(**c, schema_);
    }

    task<result<void>> save(const registry& live, std::string source) {
        auto c = co_await pool_->acquire(pool_wait);
        if (!c) co_return c.error();
        co_return co_await pg_save_registry(**c, schema_, live, std::move(source));
    }

    std::unique_ptr<pg_pool> pool_;
    std::string schema_;
};

} // namespace

result<std::unique_ptr<store>> open_pg_store(const options& opts) {
    const auto& pg = opts.postgresql;
    if (pg.dsn.empty()) return fail(errc::bad_config, "postgresql.dsn: required with node.store = \"postgresql\"");
    if (!valid_pg_schema(pg.schema))
        return fail(errc::bad_config, "postgresql.schema: \"" + pg.schema +
                                          "\" must be lowercase letters, digits and '_' (at most 63)");
    const auto dsn = with_password(pg.dsn, pg.password);
    auto s = std::make_unique<pg_store>(std::make_unique<pg_pool>(dsn, std::max<std::size_t>(pg.pool, 1)), pg.schema);
    if (auto r = s->open(opts, dsn); !r) return r.error();
    return std::unique_ptr<store>(std::move(s));
}

} // namespace qaqpa::storage
