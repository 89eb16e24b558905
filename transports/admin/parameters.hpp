#pragma once
// Reading an admin route's query parameters: one refusal wording
// ("parameter \"limit\": must be …", 400 INVALID_REQUEST) and one number rule.

#include "core/errors.hpp"

#include <cstdint>
#include <optional>
#include <string_view>

namespace qaqpa::admin {

/// INVALID_REQUEST naming the parameter and what is wrong with it.
failure bad_parameter(std::string_view name, std::string_view why);

/// The whole decimal number `v` is, or nullopt.
std::optional<std::int64_t> whole_number(std::string_view v);

} // namespace qaqpa::admin
