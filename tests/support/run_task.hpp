#pragma once
// Runs one coroutine to completion on a private io_context (unit tests of
// asynchronous interfaces, without a server).

#include "core/async.hpp"

namespace qaqpa::test {

template <class T>
T run_task(task<T> t) {
    return run_blocking(std::move(t));
}

} // namespace qaqpa::test
