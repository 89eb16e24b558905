#include "transports/http/deadline.hpp"

#include "core/async.hpp"
#include <boost/asio/execution_context.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/error.hpp>

#include <algorithm>
#include <vector>

namespace qaqpa::http {

namespace asio = boost::asio;

/// The registered deadlines of one io_context and the timer that sweeps them.
class deadline_service final : public asio::execution_context::service {
public:
    static inline asio::execution_context::id id;

    // Only ever created from an io_context (see deadline's constructor).
    explicit deadline_service(asio::execution_context& ctx)
        : service(ctx), timer_(static_cast<asio::io_context&>(ctx)) {}

    void add(deadline* d) noexcept {
        d->prev_ = nullptr;
        d->next_ = head_;
        if (head_) head_->prev_ = d;
        head_ = d;
        if (!running_ && !shut_down_) arm();
    }

    void remove(deadline* d) noexcept {
        if (d->prev_) d->prev_->next_ = d->next_;
        else head_ = d->next_;
        if (d->next_) d->next_->prev_ = d->prev_;
    }

    void expire(const void* owner) noexcept {
        for (deadline* d = head_; d; d = d->next_)
            if (d->owner_ == owner) time_out(*d);
    }

    std::size_t shed(const void* owner, std::size_t count) noexcept {
        std::vector<deadline*> idle;
        for (deadline* d = head_; d; d = d->next_)
            if (d->owner_ == owner && d->idle_since_ != deadline::clock::time_point::max() && !d->expired_)
                idle.push_back(d);
        count = std::min(count, idle.size());
        std::partial_sort(idle.begin(), idle.begin() + static_cast<std::ptrdiff_t>(count), idle.end(),
                          [](const deadline* a, const deadline* b) { return a->idle_since_ < b->idle_since_; });
        for (std::size_t i = 0; i < count; ++i) time_out(*idle[i]);
        return count;
    }

private:
    /// Ends `d`'s wait now: its pending operation fails as a timeout.
    static void time_out(deadline& d) noexcept {
        d.at_ = deadline::clock::time_point::min();
        d.expired_ = true;
        boost::system::error_code ignored;
        d.socket_.cancel(ignored);
    }

    void arm() {
        running_ = true;
        timer_.expires_after(sweep_interval);
        timer_.async_wait([this](const boost::system::error_code& ec) {
            running_ = false;
            if (ec || shut_down_) return;
            sweep();
            if (head_) arm();
        });
    }

    void sweep() noexcept {
        const auto now = deadline::clock::now();
        for (deadline* d = head_; d; d = d->next_) {
            if (d->at_ > now) continue;
            d->expired_ = true;
            boost::system::error_code ignored;
            d->socket_.cancel(ignored); // every tick until it is reset: a late operation is cancelled too
        }
    }

    void shutdown() override {
        shut_down_ = true;
        timer_.cancel();
    }

    asio::steady_timer timer_;
    deadline* head_ = nullptr;
    bool running_ = false;
    bool shut_down_ = false;
};


deadline::deadline(tcp_socket& socket, const void* owner)
    : socket_(socket), service_(thread_service<deadline_service>(socket.get_executor())), owner_(owner) {
    service_.add(this);
}

deadline::~deadline() { service_.remove(this); }

void expire_all(const executor& ex, const void* owner) noexcept { thread_service<deadline_service>(ex).expire(owner); }

std::size_t shed_idle(const executor& ex, const void* owner, std::size_t count) noexcept {
    return thread_service<deadline_service>(ex).shed(owner, count);
}

void deadline::translate(boost::system::error_code& ec) const noexcept {
    if (expired_ && ec == asio::error::operation_aborted) ec = boost::beast::error::timeout;
}

} // namespace qaqpa::http
