#pragma once
// Runs one coroutine to completion on a private io_context (unit tests of
// asynchronous interfaces, without a server).

#include "core/async.hpp"

namespace qaqpa::test {

template <class T>
T run_task(task<T> t) {
    return run_blocking(std::move(t));
}

inline task<bool> finished(task<void> t) {
    co_await std::move(t);
    co_return true;
}

inline void run_task(task<void> t) { run_blocking(finished(std::move(t))); }

} // namespace qaqpa::test
