#pragma once
// Validates what the gateway answers against the real SHEP schemas in
// ../shared/reference/shep-wsdl (absent in a user's clone: callers skip).

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace qaqpa::test {

/// ../shared/reference/shep-wsdl, or nullopt when it is not there.
std::optional<std::filesystem::path> shep_reference_dir();

inline constexpr std::string_view sync_types_ns = "http://bip.bee.kz/SyncChannel/v10/Types";
inline constexpr std::string_view async_types_ns = "http://bip.bee.kz/AsyncChannel/v10/Types";
inline constexpr std::string_view async_client_ns = "http://bip.bee.kz/AsyncChannel/v10/Types/Client";

/// Validates the Body's element of a SOAP envelope (for a Fault: the element
/// in its detail) against the real schema of `body_namespace`. Returns ""
/// when valid, else the errors. Requires shep_reference_dir().
///
/// The real set spreads one namespace over several files joined by imports,
/// which libxml2 does not assemble (it keeps the first file imported for a
/// namespace). So a hub schema per namespace includes all of its files, and
/// the wrapper imports every hub before anything else.
std::string validate_body(const std::string& envelope, std::string_view body_namespace);

} // namespace qaqpa::test
