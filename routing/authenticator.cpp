#include "routing/authenticator.hpp"

#include "crypto/hmac.hpp"
#include "crypto/password.hpp"

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>


#include <array>
#include <chrono>
#include <thread>
#include <memory>

namespace qaqpa::routing {
namespace {

using digest = crypto::sha256_mac;

/// The cache holds HMAC(process key, password), useless outside this process.
digest keyed_digest(std::string_view password) { return crypto::process_hmac(password); }

struct verified {
    std::uint64_t generation = 0;
    digest password{};
};

/// This thread's remembered logins.
string_map<verified>& cache() {
    thread_local string_map<verified> c;
    return c;
}

/// Whether `logins` holds this sender's password digest for this registry.
bool matches(const string_map<verified>& logins, const registry_view& view, const sender_info& sender,
             const digest& d) {
    const auto it = logins.find(sender.sender_id);
    return it != logins.end() && it->second.generation == view.generation() &&
           crypto::equal_constant_time({reinterpret_cast<const char*>(it->second.password.data()), d.size()},
                                       {reinterpret_cast<const char*>(d.data()), d.size()});
}

bool remembered(const registry_view& view, const sender_info& sender, const digest& d) {
    return matches(cache(), view, sender, d);
}

/// The checks every login gets before any KDF: the system to verify against
/// (or auth_failed), the keyed digest of the password, and whether this
/// thread already verified that password (`known`: no KDF needed).
result<const system_entry*> precheck(const registry_view& view, const sender_info& sender, digest& d, bool& known) {
    const auto* sys = view.system(sender.sender_id);
    if (!sys || !sender.password) return fail(errc::auth_failed);
    d = keyed_digest(*sender.password);
    known = remembered(view, sender, d);
    return sys;
}

/// The limiter's clock: monotonic, so a wall-clock step changes no window.
std::int64_t steady_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

void remember(const registry_view& view, const system_entry& sys, const digest& d) {
    cache()[sys.id] = verified{view.generation(), d};
}

/// Runs verify_password on `pool` and completes `token` on the caller's
/// executor with the outcome.
/// Once `stopping` is set, queued checks fail without running the KDF.
template <class Token>
auto verify_on(boost::asio::thread_pool& pool, const std::atomic<bool>& stopping, std::string password,
               std::string hash, Token&& token) {
    return boost::asio::async_initiate<Token, void(bool)>(
        [&pool, &stopping](auto handler, std::string pw, std::string h) {
            auto caller = boost::asio::get_associated_executor(handler);
            boost::asio::post(pool, [handler = std::move(handler), caller, &stopping, pw = std::move(pw),
                                     h = std::move(h)]() mutable {
                const bool ok = !stopping.load(std::memory_order_relaxed) && crypto::verify_password(pw, h);
                boost::asio::post(caller, [handler = std::move(handler), ok]() mutable { handler(ok); });
            });
        },
        token, std::move(password), std::move(hash));
}

} // namespace

/// Logins verified on any thread: a first request on another thread then
/// costs a lock and a compare instead of the KDF (and is never refused by
/// the failed-login limit while its id is being flooded).
struct authenticator::shared_logins {
    std::mutex mutex;
    string_map<verified> logins;

    bool knows(const registry_view& view, const sender_info& sender, const digest& d) {
        std::lock_guard lk(mutex);
        return matches(logins, view, sender, d);
    }
    void add(const registry_view& view, const system_entry& sys, const digest& d) {
        std::lock_guard lk(mutex);
        logins[sys.id] = verified{view.generation(), d};
    }
};

result<const system_entry*> authenticate(const registry_view& view, const sender_info& sender) {
    digest d{};
    bool known = false;
    auto sys = precheck(view, sender, d, known);
    if (!sys || known) return sys;
    if (!crypto::verify_password(*sender.password, (*sys)->password_hash)) return fail(errc::auth_failed);
    remember(view, **sys, d);
    return sys;
}

authenticator::authenticator(int threads, int max_pending, login_limits limits)
    : workers_(std::make_unique<boost::asio::thread_pool>(static_cast<std::size_t>(threads > 0 ? threads : 1))),
      max_pending_(max_pending), limiter_(limits), shared_(std::make_unique<shared_logins>()) {}

authenticator::~authenticator() { shutdown(); }

void authenticator::shutdown() {
    // Queued checks complete at once (as failures) and hand their callers
    // back to their io_contexts, where they are destroyed with everything
    // else that is suspended; handlers are never destroyed on this side.
    if (stopping_.exchange(true)) return;
    workers_->join();
    std::unique_lock lk(drained_mutex_);
    drained_.wait_for(lk, std::chrono::seconds(2), [&] { return pending_.load(std::memory_order_acquire) == 0; });
}

void authenticator::release() noexcept {
    if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1 && stopping_.load(std::memory_order_relaxed)) {
        std::lock_guard lk(drained_mutex_); // so the wake cannot slip between shutdown()'s check and its wait
        drained_.notify_all();
    }
}

task<result<const system_entry*>> authenticator::authenticate(const registry_view& view, const sender_info& sender) {
    digest d{};
    bool known = false;
    auto checked = precheck(view, sender, d, known);
    if (!checked) {
        limiter_.failed(sender.sender_id, sender.client_address, false, steady_ms());
        co_return checked;
    }
    if (known) co_return checked;
    const system_entry* sys = *checked;
    if (shared_->knows(view, sender, d)) {
        remember(view, *sys, d);
        co_return sys;
    }
    if (auto why = limiter_.refusal(sender.sender_id, sender.client_address, steady_ms()); !why.empty())
        co_return fail(errc::too_many_failed_logins, std::move(why));
    if (stopping_.load(std::memory_order_relaxed)) co_return fail(errc::busy, "the gateway is stopping");
    if (pending_.fetch_add(1, std::memory_order_relaxed) >= max_pending_) {
        release();
        co_return fail(errc::busy, "too many password checks in progress");
    }
    const bool ok = co_await verify_on(*workers_, stopping_, *sender.password, sys->password_hash, use_task);
    release();
    if (!ok) {
        limiter_.failed(sender.sender_id, sender.client_address, true, steady_ms());
        co_return fail(errc::auth_failed);
    }
    remember(view, *sys, d); // on this I/O thread: its own cache
    shared_->add(view, *sys, d);
    co_return sys;
}

} // namespace qaqpa::routing
