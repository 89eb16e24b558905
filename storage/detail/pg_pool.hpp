#pragma once
// A node's PostgreSQL connections ([postgresql] pool), shared by its event
// loops. A caller leases one connection for a statement or a transaction and
// gives it back when the lease ends; while all are leased, callers wait in
// order, each up to its own bound. Connections open on demand, and one that
// broke (lost, timed out) is closed when given back and replaced by the next
// demand.
//
// Thread safety: acquire() and the end of a lease may happen on any thread;
// a waiter is woken on its own executor. The pool must outlive its leases.

#include "core/async.hpp"
#include "core/errors.hpp"
#include "storage/detail/pg_connection.hpp"

#include <chrono>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace qaqpa::storage::detail {

class pg_pool;

/// One leased connection; back in its pool when destroyed. A default one
/// holds nothing (for containers and coroutine plumbing).
class pg_lease {
public:
    pg_lease() = default;
    pg_lease(pg_pool& pool, std::unique_ptr<pg_connection> c) : pool_(&pool), c_(std::move(c)) {}
    pg_lease(pg_lease&& o) noexcept : pool_(o.pool_), c_(std::move(o.c_)) {}
    pg_lease& operator=(pg_lease&&) = delete;
    ~pg_lease();
    pg_connection& operator*() const { return *c_; }
    pg_connection* operator->() const { return c_.get(); }

private:
    pg_pool* pool_ = nullptr;
    std::unique_ptr<pg_connection> c_;
};

class pg_pool {
public:
    pg_pool(std::string dsn, std::size_t size, std::chrono::milliseconds connect_timeout = std::chrono::seconds(10));
    ~pg_pool();
    pg_pool(const pg_pool&) = delete;
    pg_pool& operator=(const pg_pool&) = delete;

    /// A connection, opening one when none is idle and fewer than size() are
    /// open; else the first given back, waiting up to `wait`. Failures:
    /// store_unavailable (cannot connect; every connection busy for `wait`).
    task<result<pg_lease>> acquire(std::chrono::milliseconds wait);

    std::size_t size() const { return size_; }
    /// Connections open now (leased or idle).
    std::size_t open_now() const;

private:
    friend class pg_lease;
    struct waiter;
    void give_back(std::unique_ptr<pg_connection> c);

    const std::string dsn_;
    const std::size_t size_;
    const std::chrono::milliseconds connect_timeout_;
    mutable std::mutex mutex_;
    std::vector<std::unique_ptr<pg_connection>> idle_;
    std::size_t open_ = 0; ///< open or being opened
    std::deque<std::shared_ptr<waiter>> waiters_;
};

} // namespace qaqpa::storage::detail
