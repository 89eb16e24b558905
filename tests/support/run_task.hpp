#pragma once
// Runs one coroutine to completion on a private io_context (unit tests of
// asynchronous interfaces, without a server).

#include "core/async.hpp"

#include <boost/asio/co_spawn.hpp>

#include <exception>
#include <optional>

namespace qaqpa::test {

template <class T>
T run_task(task<T> t) {
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

} // namespace qaqpa::test
