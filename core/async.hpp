#pragma once
// The coroutine vocabulary of the project, bound to the io_context executor
// rather than Asio's type-erased any_io_executor: every co_await otherwise
// copies and destroys a type-erased executor, which showed in profiles of the
// request path. Each thread runs one io_context (core/runtime.hpp), so the
// concrete executor type is always right.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <exception>
#include <optional>
#include <utility>

namespace qaqpa {

using executor = boost::asio::io_context::executor_type;

/// A coroutine running on an io_context thread.
template <class T>
using task = boost::asio::awaitable<T, executor>;

/// Completion token for co_await inside a task.
inline constexpr boost::asio::use_awaitable_t<executor> use_task{};

/// use_task that reports errors into `ec` instead of throwing.
inline auto use_task_ec(boost::system::error_code& ec) { return boost::asio::redirect_error(use_task, ec); }

using tcp_socket = boost::asio::basic_stream_socket<boost::asio::ip::tcp, executor>;
using tcp_acceptor = boost::asio::basic_socket_acceptor<boost::asio::ip::tcp, executor>;
using tcp_resolver = boost::asio::ip::basic_resolver<boost::asio::ip::tcp, executor>;
using timer = boost::asio::basic_waitable_timer<std::chrono::steady_clock,
                                                boost::asio::wait_traits<std::chrono::steady_clock>, executor>;

/// The `Service` of the io_context `ex` belongs to. use_service takes the
/// context's registry lock, so the answer is remembered per thread: sound
/// because a thread runs one io_context for its whole life (core/runtime
/// joins its threads before their contexts are destroyed); the context is
/// still compared.
template <class Service>
Service& thread_service(const executor& ex) {
    auto& ctx = boost::asio::query(ex, boost::asio::execution::context);
    thread_local std::pair<boost::asio::execution_context*, Service*> cached{nullptr, nullptr};
    if (cached.first != &ctx) cached = {&ctx, &boost::asio::use_service<Service>(ctx)};
    return *cached.second;
}

/// Runs one coroutine to completion on a private io_context and returns its
/// result: for start-up steps (before the event loops run) and tests. Never
/// on an event loop: it blocks its thread.
template <class T>
T run_blocking(task<T> t) {
    boost::asio::io_context ctx;
    std::optional<T> out;
    std::exception_ptr error;
    boost::asio::co_spawn(ctx, std::move(t), [&](std::exception_ptr e, T v) {
        error = e;
        if (!e) out.emplace(std::move(v));
    });
    ctx.run();
    if (error) std::rethrow_exception(error);
    return std::move(*out);
}

} // namespace qaqpa
