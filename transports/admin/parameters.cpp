#include "transports/admin/parameters.hpp"

#include "core/utf8.hpp"

#include <fmt/format.h>

#include <charconv>

namespace qaqpa::admin {

failure bad_parameter(std::string_view name, std::string_view why) {
    return fail(errc::invalid_request, fmt::format("parameter \"{}\": {}", to_valid_utf8(name), why));
}

std::optional<std::int64_t> whole_number(std::string_view v) {
    std::int64_t n = 0;
    const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec != std::errc() || end != v.data() + v.size()) return std::nullopt;
    return n;
}

} // namespace qaqpa::admin
