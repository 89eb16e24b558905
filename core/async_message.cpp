#include "core/async_message.hpp"

#include <array>

namespace qaqpa {
namespace {

constexpr std::array<std::string_view, 4> type_names{"REQUEST", "RESPONSE", "UPDATE", "NOTIFICATION"};
constexpr std::array<std::string_view, 4> state_names{"ON_DELIVERY", "DELIVERED", "NOT_DELIVERED",
                                                      "DELIVERY_STOPPED"};

template <class E, std::size_t N>
std::optional<E> find_name(const std::array<std::string_view, N>& names, std::string_view s) noexcept {
    for (std::size_t i = 0; i < N; ++i)
        if (names[i] == s) return static_cast<E>(i);
    return std::nullopt;
}

} // namespace

std::string_view to_string(message_type t) noexcept { return type_names[static_cast<std::size_t>(t)]; }
std::string_view to_string(message_state s) noexcept { return state_names[static_cast<std::size_t>(s)]; }

std::optional<message_type> parse_message_type(std::string_view s) noexcept {
    return find_name<message_type>(type_names, s);
}

std::optional<message_state> parse_message_state(std::string_view s) noexcept {
    return find_name<message_state>(state_names, s);
}

} // namespace qaqpa
