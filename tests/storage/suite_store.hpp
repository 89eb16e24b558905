#pragma once
// The store suites' way to open a store of one implementation (each case
// runs once per storage::store_kinds() entry).

#include "storage/store.hpp"
#include "tests/support/temp_dir.hpp"

#include "tests/support/catch.hpp"

#include <memory>
#include <string>

namespace qaqpa::test {

inline std::unique_ptr<storage::store> open_suite_store(const temp_dir& dir, const std::string& kind) {
    auto s = storage::open_store({dir.str(), true, kind});
    REQUIRE(s);
    return std::move(*s);
}

} // namespace qaqpa::test
