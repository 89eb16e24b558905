#include "storage/detail/pg_pool.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>

#include <algorithm>

namespace qaqpa::storage::detail {

namespace asio = boost::asio;

/// A caller waiting for a connection: woken by cancelling its timer on its
/// own executor once give_back() handed it one.
struct pg_pool::waiter {
    explicit waiter(const executor& ex) : wake(ex) {}
    timer wake;
    std::unique_ptr<pg_connection> handed; ///< set under the pool's mutex
    bool slot = false; ///< instead: a broken connection's slot, to open a fresh one in
};

pg_lease::~pg_lease() {
    if (c_) pool_->give_back(std::move(c_));
}

pg_pool::pg_pool(std::string dsn, std::size_t size, std::chrono::milliseconds connect_timeout)
    : dsn_(std::move(dsn)), size_(std::max<std::size_t>(size, 1)), connect_timeout_(connect_timeout) {}

pg_pool::~pg_pool() = default;

std::size_t pg_pool::open_now() const {
    std::lock_guard lock(mutex_);
    return open_;
}

task<result<pg_lease>> pg_pool::acquire(std::chrono::milliseconds wait) {
    std::shared_ptr<waiter> me;
    {
        std::lock_guard lock(mutex_);
        if (!idle_.empty()) {
            auto c = std::move(idle_.back());
            idle_.pop_back();
            co_return pg_lease(*this, std::move(c));
        }
        if (open_ < size_) ++open_; // a slot reserved; the connection opens below, outside the lock
        else {
            me = std::make_shared<waiter>(co_await asio::this_coro::executor);
            me->wake.expires_after(wait);
            waiters_.push_back(me);
        }
    }
    if (me) {
        boost::system::error_code ec;
        co_await me->wake.async_wait(use_task_ec(ec));
        std::lock_guard lock(mutex_);
        if (me->handed) co_return pg_lease(*this, std::move(me->handed));
        if (!me->slot) {
            waiters_.erase(std::find(waiters_.begin(), waiters_.end(), me));
            co_return fail(errc::store_unavailable, "postgresql: all " + std::to_string(size_) +
                                                        " connections of the pool stayed busy for " +
                                                        std::to_string(wait.count()) + " ms");
        }
    }
    auto c = co_await pg_connection::open(dsn_, connect_timeout_);
    if (!c) {
        std::lock_guard lock(mutex_);
        --open_;
        co_return c.error();
    }
    co_return pg_lease(*this, std::move(*c));
}

void pg_pool::give_back(std::unique_ptr<pg_connection> c) {
    std::lock_guard lock(mutex_);
    if (c->broken()) {
        c.reset();
        if (waiters_.empty()) {
            --open_;
            return;
        }
    } else if (waiters_.empty()) {
        idle_.push_back(std::move(c));
        return;
    }
    // The first waiter gets the connection, or (it broke) its slot, to open a fresh one.
    auto w = std::move(waiters_.front());
    waiters_.pop_front();
    if (c) w->handed = std::move(c);
    else w->slot = true;
    asio::post(w->wake.get_executor(), [w] { w->wake.cancel(); });
}

} // namespace qaqpa::storage::detail
