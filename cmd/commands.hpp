#pragma once
// The qaqpa sub-commands. Each returns the process exit code.

#include <span>
#include <string_view>

namespace qaqpa::cmd {

/// Exit code for a bad configuration (CONFIG.md).
inline constexpr int exit_bad_config = 2;

/// Sets the allocator's memory limits (tcmalloc builds); before anything else.
void tune_allocator();

int serve(std::span<const std::string_view> args);
int hash_password(std::span<const std::string_view> args);
/// `admin dp on|off ID`: calls the admin API of a running node.
int admin(std::span<const std::string_view> args);

} // namespace qaqpa::cmd
