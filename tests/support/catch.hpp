#pragma once
// Catch2 for qaqpa tests: teaches Catch to print our result<T> (Boost's own
// operator<< for result is unconstrained and would not compile for T without
// one).

#include "core/errors.hpp"

#include <catch2/catch.hpp>

namespace Catch {

template <class T>
struct StringMaker<boost::system::result<T, qaqpa::failure>> {
    static std::string convert(const boost::system::result<T, qaqpa::failure>& r) {
        if (r) return "ok";
        return "failure " + std::string(qaqpa::describe(r.error().code).code) + ": " + r.error().detail;
    }
};

} // namespace Catch
