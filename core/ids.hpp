#pragma once
// Identifiers the gateway assigns: random (version 4) GUIDs.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace qaqpa {

/// A fresh random GUID, lower case, without braces: "1b4e28ba-2fa1-11d2-883f-0016d3cca427".
std::string new_guid();

/// A time-ordered GUID (RFC 9562 version 7: 48-bit Unix milliseconds, then
/// random bits). Message ids use it: ids made later sort later, so the store
/// appends instead of inserting at random places in its index.
std::string new_ordered_guid();

/// A time-ordered GUID for `ms` whose other bits are `seed`'s first ten
/// bytes (a digest): the same arguments give the same GUID, so a retried
/// request can be given the id its first try got.
std::string ordered_guid_of(std::int64_t ms, std::string_view seed);

/// The Unix milliseconds a time-ordered GUID was made at; nullopt for any
/// other id (retention finds old records by their keys).
std::optional<std::int64_t> ordered_guid_ms(std::string_view id) noexcept;

/// The form SHEP's schema wants for sessionId: "{...}".
std::string braced(std::string_view guid);

/// True for a GUID with or without braces.
bool is_guid(std::string_view text) noexcept;

} // namespace qaqpa
